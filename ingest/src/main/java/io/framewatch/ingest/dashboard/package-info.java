/**
 * The moderation dashboard served by ingest at {@code /dashboard/}: static pages from the
 * classpath ({@code framewatch/dashboard/}) and the uPlot chart library, fetched from npm into
 * the cache and checked by SHA-256 ({@link io.framewatch.ingest.dashboard.WebAssets}). The
 * page's chart script ({@code video.js}) is shared with {@code framewatch analyze --report}.
 */
package io.framewatch.ingest.dashboard;
