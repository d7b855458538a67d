/**
 * The notify stage: delivers every alert transition on {@code alerts} to every webhook
 * subscription (the compacted {@code webhooks} topic plus configured ones) as a signed HTTP POST,
 * retrying with capped exponential backoff and dead-lettering what a receiver never accepted.
 */
package io.framewatch.notify;
