@NullMarked
package dev.imgd.core.plan;

import org.jspecify.annotations.NullMarked;
