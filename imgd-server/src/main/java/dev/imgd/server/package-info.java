@NullMarked
package dev.imgd.server;

import org.jspecify.annotations.NullMarked;
