/** The {@code framewatch} CLI, the in-process Kafka broker and the single-JVM stack. */
package io.framewatch.app;
