/**
 * The benchmark suite's report: reads the results a suite run leaves in one directory (JMH's JSON result files,
 * {@code loopback.json}, {@code machine.json}, the plain mains' text output) and writes {@code summary.md} and the
 * SVG charts next to them. Run by {@code benchmarks/run-suite.sh}; see {@link io.meshsdk.benchmarks.report.SuiteReport}.
 */
@NullMarked
package io.meshsdk.benchmarks.report;

import org.jspecify.annotations.NullMarked;
