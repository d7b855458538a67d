"""Debian packages as a data source: `apt-get download` + `dpkg-deb -x`, no root and nothing
installed. Shared by models/sr/data.py (photos for the SR training sets) and
models/deepfake/media.py (portraits for the face-forgery dataset)."""
import glob
import os
import subprocess
import tempfile


def unpack(package, root):
    """Downloads PACKAGE's .deb and unpacks its files under ROOT (created; the caller decides
    whether an existing ROOT is reused). Runs `apt-get update` once when the download fails,
    since a fresh machine may have no package lists yet."""
    os.makedirs(root, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=os.path.dirname(os.path.abspath(root))) as tmp:
        cmd = ["apt-get", "download", package]
        if subprocess.run(cmd, cwd=tmp, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode != 0:
            subprocess.run(["apt-get", "update", "-qq"], check=True)
            subprocess.run(cmd, cwd=tmp, check=True, stdout=subprocess.DEVNULL)
        deb = glob.glob(os.path.join(tmp, "*.deb"))[0]
        subprocess.run(["dpkg-deb", "-x", deb, root], check=True)
    return root
