package io.framewatch.decode;

import io.framewatch.proto.Burst;
import io.framewatch.proto.FrameRecord;
import io.framewatch.proto.VideoEvent;
import io.framewatch.runtime.Output;
import io.framewatch.topic.Topics;

/**
 * Publishes a decode job's frames to {@code frames.detect}, bursts to {@code frames.enhance} and
 * events to {@code video.events}, through the job's tracked {@link Output}.
 */
final class KafkaDecodeOutput implements DecodeOutput {
  private final Output out;
  private final DecodeMeters.Job meters;

  KafkaDecodeOutput(Output out, DecodeMeters.Job meters) {
    this.out = out;
    this.meters = meters;
  }

  @Override
  public void event(VideoEvent event) {
    out.send(Topics.VIDEO_EVENTS, event.getVideoId(), event);
    meters.event(event);
  }

  @Override
  public void frame(FrameRecord frame) {
    meters.sampled();
    // Keyed per frame so one long video spreads over every detect worker.
    out.send(Topics.FRAMES_DETECT, Topics.frameKey(frame.getVideoId(), frame.getSampleIndex()),
        frame);
  }

  @Override
  public void burst(Burst burst) {
    out.send(Topics.FRAMES_ENHANCE, Topics.frameKey(burst.getVideoId(), burst.getBurstIndex()),
        burst);
  }

  @Override
  public void flush() throws Exception {
    out.flush();
  }
}
