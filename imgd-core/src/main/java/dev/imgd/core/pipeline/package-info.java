@NullMarked
package dev.imgd.core.pipeline;

import org.jspecify.annotations.NullMarked;
