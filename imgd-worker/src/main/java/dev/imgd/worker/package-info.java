@NullMarked
package dev.imgd.worker;

import org.jspecify.annotations.NullMarked;
