/**
 * Generated hostile inputs with the outcome each must have, for tests of the probe and of the whole
 * pipeline and for the HTTP runners of imgd-bench: see {@link
 * dev.imgd.testkit.hostile.HostileFiles}. It sees none of imgd's modules (imgd-core's tests depend
 * on it), so outcomes are imgd's stable error codes and HTTP statuses.
 */
package dev.imgd.testkit.hostile;
