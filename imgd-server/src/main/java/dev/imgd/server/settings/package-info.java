@NullMarked
package dev.imgd.server.settings;

import org.jspecify.annotations.NullMarked;
