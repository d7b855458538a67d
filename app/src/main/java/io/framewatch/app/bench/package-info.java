/**
 * Benchmarks that print figures and ratios against the raw tool measured in the same run, and
 * {@code bench live}, which serves real clips as live loopback streams ({@link
 * io.framewatch.app.bench.LoopbackStream}, also the live tests' source) and reads the latencies
 * back from the topics.
 */
package io.framewatch.app.bench;
