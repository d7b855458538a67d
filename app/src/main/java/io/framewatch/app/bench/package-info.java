/** Benchmarks that print figures and ratios against the raw tool measured in the same run. */
package io.framewatch.app.bench;
