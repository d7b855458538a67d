package io.framewatch.decode;

import io.framewatch.frames.FrameImages;
import io.framewatch.frames.RgbImage;
import io.framewatch.proto.Burst;
import io.framewatch.proto.BurstSrRequest;
import io.framewatch.proto.EvidenceFace;
import io.framewatch.proto.EvidenceTarget;
import io.framewatch.proto.EvidenceRequest;
import io.framewatch.proto.EvidenceStored;
import io.framewatch.proto.FrameRecord;
import io.framewatch.proto.StoredCrop;
import io.framewatch.proto.StoredEnhanced;
import io.framewatch.proto.VideoEvent;
import io.framewatch.runtime.Input;
import io.framewatch.runtime.Output;
import io.framewatch.runtime.VideoFiles;
import io.framewatch.topic.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * decode's evidence server: answers {@code evidence.requests} from the media store. A crop request
 * decodes the sample's frame again from the stored upload ({@link FrameSeeker}), converts it to
 * RGB as detect/ did ({@link FrameImages#toRgb}), writes the faces' aligned crops and the frame
 * thumbnail ({@link EvidenceWriter}) and reports them with an {@link EvidenceStored} event on
 * {@code video.events}. A request that cannot be served (no video id, no faces, a size no frame
 * has) or whose video has no stored upload (deleted, or a live stream) throws, so the loop
 * dead-letters it with the cause; a frame that cannot be decoded is reported in the event's
 * {@code error}, which the verdict shows next to the evidence it names. A burst request
 * ({@link #burstSr}) cuts a source-resolution burst around a flagged face and hands it to enhance
 * on {@code frames.enhance}, which writes the super-resolved crop and reports it. A live
 * stream's requests ({@link #serveLive}) are served from the frames the process running it holds.
 */
final class EvidenceServer {
  private static final Logger LOG = LoggerFactory.getLogger(EvidenceServer.class);

  private final VideoFiles files;
  private final long maxSourcePixels;
  private final String worker;

  EvidenceServer(VideoFiles files, long maxSourcePixels, String worker) {
    this.files = files;
    this.maxSourcePixels = maxSourcePixels;
    this.worker = worker;
  }

  /** The consumer loop's handler. */
  void handle(Input<String, EvidenceRequest> in, Output out) throws Exception {
    EvidenceRequest r = in.value();
    if (r.getKindCase() == EvidenceRequest.KindCase.BURST_SR) {
      Served s = burstSr(r);
      s.burst().ifPresent(b -> out.send(Topics.FRAMES_ENHANCE, burstKey(b), b));
      s.event().ifPresent(e -> out.send(Topics.VIDEO_EVENTS, e.getVideoId(), e));
      return;
    }
    serve(r).ifPresent(e -> out.send(Topics.VIDEO_EVENTS, e.getVideoId(), e));
  }

  /**
   * What a burst request produced: the burst for enhance, or the event saying why there is none
   * (both empty when the video was deleted meanwhile).
   */
  record Served(Optional<Burst> burst, Optional<VideoEvent> event) {}

  /**
   * An evidence burst's key on {@code frames.enhance}: the video and the face, hashed across the
   * partitions like the job's bursts ({@code video id/burst index}), never equal to one of them.
   */
  static String burstKey(Burst b) {
    return b.getVideoId() + "/sr-s" + b.getEvidence().getSampleIndex() + "-f"
        + b.getEvidence().getFaceIndex();
  }

  /** Serves one request; the event to publish, empty when the video was deleted meanwhile. */
  Optional<VideoEvent> serve(EvidenceRequest r) throws Exception {
    return switch (r.getKindCase()) {
      case CROP -> crop(r);
      case BURST_SR -> throw new IllegalArgumentException("a burst request is served by"
          + " burstSr, not serve");
      default -> throw new IllegalArgumentException("evidence request of unknown kind "
          + r.getKindCase() + " for video '" + r.getVideoId() + "'");
    };
  }

  /**
   * Serves a live stream's request from the frames this process holds ({@link LiveFrames});
   * empty when another process runs the stream (every decode process reads the request). A
   * sample no longer held is reported with its reason.
   */
  Optional<VideoEvent> serveLive(EvidenceRequest r, LiveFrames frames) throws IOException {
    if (!frames.holds(r.getVideoId())) {
      return Optional.empty();
    }
    check(r);
    Optional<FrameRecord> frame = frames.find(r.getVideoId(), r.getSampleIndex());
    EvidenceStored stored = frame.isPresent()
        ? EvidenceWriter.write(files.evidence(r.getVideoId()), r.getSampleIndex(), r.getPtsUs(),
            FrameImages.toRgb(frame.get()), r.getCrop().getFacesList())
        : EvidenceStored.newBuilder().setSampleIndex(r.getSampleIndex()).setPtsUs(r.getPtsUs())
            .setError("decode: the frame of sample " + r.getSampleIndex() + " is no longer held"
                + " (a live stream's decoder keeps its last " + LiveFrames.SECONDS + " s)")
            .build();
    return Optional.of(event(r.getVideoId(), stored));
  }

  private VideoEvent event(String id, EvidenceStored stored) {
    return VideoEvent.newBuilder().setVideoId(id).setAtMs(System.currentTimeMillis())
        .setWorker(worker).setEvidence(stored).build();
  }

  /**
   * Serves a burst request: decodes {@link BurstSrRequest#getFrames} source-resolution frames
   * centred on the sample from the stored upload ({@link FrameSeeker#burstAround}), cut to the
   * square region around the face, as one {@link Burst} marked with its {@link EvidenceTarget};
   * enhance super-resolves it and writes the file. A frame that cannot be decoded is reported
   * as a failed {@link StoredEnhanced}; a request that cannot be served throws (dead letter).
   */
  Served burstSr(EvidenceRequest r) throws Exception {
    String id = r.getVideoId();
    checkFrame(r);
    BurstSrRequest b = r.getBurstSr();
    EvidenceFace face = b.getFace();
    if (!b.hasFace() || !face.getDetection().hasFace()) {
      throw new IllegalArgumentException("burst request for video " + id + " sample "
          + r.getSampleIndex() + " names no face");
    }
    if (b.getFrames() < 1 || b.getFrames() > MAX_BURST) {
      throw new IllegalArgumentException("burst request for video " + id + " asks for "
          + b.getFrames() + " frames; 1 to " + MAX_BURST + " are served");
    }
    String expected = VideoFiles.enhancedName(r.getSampleIndex(), face.getFaceIndex());
    if (!b.getFile().equals(expected)) {
      throw new IllegalArgumentException("burst request for video " + id + " names file '"
          + b.getFile() + "', not " + expected);
    }
    var box = face.getDetection().getFace();
    if (!(box.getXMax() > box.getXMin() && box.getYMax() > box.getYMin())) {
      throw new IllegalArgumentException("burst request for video " + id + " sample "
          + r.getSampleIndex() + " has an empty face box");
    }
    Path upload = files.storedUpload(id).orElseThrow(() -> new IllegalStateException(
        "no stored upload for video " + id + " (deleted, or a live stream, whose frames are"
            + " not kept): no burst to cut"));
    FrameSeeker.BurstCut cut;
    try {
      cut = FrameSeeker.burstAround(upload, r.getPtsUs(), b.getFrames(), box.getXMin(),
          box.getYMin(), box.getXMax(), box.getYMax(), r.getFrameWidth(), r.getFrameHeight(),
          maxSourcePixels);
    } catch (DecodeException e) {
      LOG.info("video {} sample {}: no burst: {}", id, r.getSampleIndex(), e.getMessage());
      return new Served(Optional.empty(), Optional.of(event(id, EvidenceStored.newBuilder()
          .setSampleIndex(r.getSampleIndex()).setPtsUs(r.getPtsUs())
          .setEnhanced(StoredEnhanced.newBuilder().setFaceIndex(face.getFaceIndex())
              .setTrackId(face.getTrackId()).setFile(b.getFile())
              .setError("decode: " + e.getMessage()))
          .build())));
    }
    SrRegion region = cut.region();
    Burst.Builder burst = Burst.newBuilder().setVideoId(id).setBurstIndex(r.getSampleIndex())
        .setReference(cut.reference()).setEvidence(EvidenceTarget.newBuilder()
            .setSampleIndex(r.getSampleIndex()).setPtsUs(r.getPtsUs())
            .setFaceIndex(face.getFaceIndex()).setTrackId(face.getTrackId()).setFile(b.getFile())
            .setRegionX(region.x()).setRegionY(region.y()).setRegionSide(region.side()));
    for (FrameRecord f : cut.frames()) {
      burst.addFrames(f.toBuilder().setVideoId(id).setSampleIndex(r.getSampleIndex())
          .setFrameIndex(r.getFrameIndex()).setSourceWidth(cut.sourceWidth())
          .setSourceHeight(cut.sourceHeight()));
    }
    return new Served(Optional.of(burst.build()), Optional.empty());
  }

  /** Frames a burst request may ask for. */
  static final int MAX_BURST = 15;

  /** Refuses a crop request that cannot be served, naming why. */
  private static void check(EvidenceRequest r) {
    String id = r.getVideoId();
    if (r.getKindCase() != EvidenceRequest.KindCase.CROP) {
      throw new IllegalArgumentException("evidence request of unknown kind " + r.getKindCase()
          + " for video '" + id + "'");
    }
    checkFrame(r);
    for (EvidenceFace f : r.getCrop().getFacesList()) {
      if (f.getDetection().getFace().getKeypointsCount() < 4) {
        throw new IllegalArgumentException("face " + f.getFaceIndex() + " of video " + id
            + " sample " + r.getSampleIndex() + " has no keypoints to align on");
      }
    }
  }

  /** Refuses a request without a usable video id, frame size or time, naming why. */
  private static void checkFrame(EvidenceRequest r) {
    String id = r.getVideoId();
    if (!VideoFiles.VIDEO_ID.matcher(id).matches()) {
      throw new IllegalArgumentException("evidence request without a valid video id: '" + id
          + "'");
    }
    if (r.getKindCase() == EvidenceRequest.KindCase.CROP && r.getCrop().getFacesCount() == 0) {
      throw new IllegalArgumentException("crop request for video " + id + " sample "
          + r.getSampleIndex() + " names no face");
    }
    if (r.getFrameWidth() < 2 || r.getFrameHeight() < 2
        || r.getFrameWidth() > FrameImages.MAX_SIDE || r.getFrameHeight() > FrameImages.MAX_SIDE
        || r.getPtsUs() < 0 || r.getSampleIndex() < 0) {
      throw new IllegalArgumentException("evidence request for video " + id + " sample "
          + r.getSampleIndex() + " has no usable frame size or time: " + r.getFrameWidth() + "x"
          + r.getFrameHeight() + " at " + r.getPtsUs() + " us");
    }
  }

  private Optional<VideoEvent> crop(EvidenceRequest r) throws Exception {
    String id = r.getVideoId();
    check(r);
    Path upload = files.storedUpload(id).orElseThrow(() -> new IllegalStateException(
        "no stored upload for video " + id + " (deleted, or a live stream, whose frames are"
            + " not kept): no evidence to extract"));
    EvidenceStored stored;
    Path dir = files.evidence(id);
    try {
      FrameRecord frame = FrameSeeker.frameAt(upload, r.getPtsUs(), r.getFrameWidth(),
          r.getFrameHeight(), r.getPixelFormat(), maxSourcePixels);
      RgbImage rgb = FrameImages.toRgb(frame);
      stored = EvidenceWriter.write(dir, r.getSampleIndex(), r.getPtsUs(), rgb,
          r.getCrop().getFacesList());
    } catch (DecodeException e) {
      LOG.info("video {} sample {}: no evidence: {}", id, r.getSampleIndex(), e.getMessage());
      stored = EvidenceStored.newBuilder().setSampleIndex(r.getSampleIndex())
          .setPtsUs(r.getPtsUs()).setError("decode: " + e.getMessage()).build();
    }
    if (files.storedUpload(id).isEmpty()) {
      // deleted while we wrote: what we wrote must not outlive it
      removeWritten(dir, stored);
      LOG.info("video {} was deleted while its evidence was written; removed it again", id);
      return Optional.empty();
    }
    return Optional.of(event(id, stored));
  }

  private void removeWritten(Path dir, EvidenceStored stored) throws IOException {
    if (!stored.getFrameFile().isEmpty()) {
      Files.deleteIfExists(dir.resolve(stored.getFrameFile()));
    }
    for (StoredCrop c : stored.getCropsList()) {
      Files.deleteIfExists(dir.resolve(c.getFile()));
    }
    try {
      Files.deleteIfExists(dir);
    } catch (java.nio.file.DirectoryNotEmptyException e) {
      // other evidence still being written: its own writer removes it
    }
  }
}
