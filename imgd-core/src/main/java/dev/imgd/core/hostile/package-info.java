/**
 * Generated hostile inputs with the outcome each must have, for tests of the probe and of the whole
 * pipeline: see {@link dev.imgd.core.hostile.HostileFiles}.
 */
package dev.imgd.core.hostile;
