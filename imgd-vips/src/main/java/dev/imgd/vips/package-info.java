@NullMarked
package dev.imgd.vips;

import org.jspecify.annotations.NullMarked;
