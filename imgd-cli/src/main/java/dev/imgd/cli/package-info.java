@NullMarked
package dev.imgd.cli;

import org.jspecify.annotations.NullMarked;
