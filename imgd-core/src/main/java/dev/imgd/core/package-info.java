@NullMarked
package dev.imgd.core;

import org.jspecify.annotations.NullMarked;
