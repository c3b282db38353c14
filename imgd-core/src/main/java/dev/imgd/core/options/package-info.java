@NullMarked
package dev.imgd.core.options;

import org.jspecify.annotations.NullMarked;
