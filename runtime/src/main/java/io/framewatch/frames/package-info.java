/** Decoded frames as images: the conversions every stage that looks at pixels shares. */
package io.framewatch.frames;
