/**
 * The topic catalogue: typed {@link io.framewatch.topic.Topic}s with their partitions, configs
 * and protobuf serdes. What is on the wire; how records move is {@code io.framewatch.runtime}.
 */
package io.framewatch.topic;
