/**
 * The topic catalogue and Kafka plumbing every stage shares: typed {@link io.framewatch.topic.Topic}s,
 * protobuf serdes, client settings sized for frame records, and dead-letter records.
 */
package io.framewatch.topic;
