@NullMarked
package dev.imgd.server.source;

import org.jspecify.annotations.NullMarked;
