"""The production examples in deploy/ are valid: nginx accepts its config."""

import shutil
import subprocess

import pytest

from tests.servers import ROOT

NGINX = shutil.which("nginx", path="/usr/sbin:/usr/bin:/sbin:/bin")


@pytest.mark.skipif(NGINX is None, reason="needs Debian's nginx (apt-get install nginx-light; .ci/run installs it)")
def test_nginx_accepts_the_example_config(tmp_path):
    import re

    from tests.servers import free_port

    (tmp_path / "logs").mkdir()
    # nginx -t binds its ports: free loopback ones instead of 80 and 5055; logs here.
    config = (ROOT / "deploy" / "nginx.conf").read_text()
    config = re.sub(r"listen \d+;", lambda m: f"listen 127.0.0.1:{free_port()};", config)
    config = config.replace("/var/log/nginx/", f"{tmp_path}/logs/")
    (tmp_path / "helpdesk.conf").write_text(config)
    wrapper = tmp_path / "nginx.conf"
    wrapper.write_text(
        f"error_log {tmp_path}/logs/error.log;\npid {tmp_path}/nginx.pid;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  include {tmp_path}/helpdesk.conf;\n}}\n"
    )
    checked = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-c", str(wrapper)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def test_the_example_endpoints_share_trackers_and_locks():
    import yaml

    endpoints = yaml.safe_load((ROOT / "deploy" / "endpoints.yml").read_text())
    assert endpoints["tracker_store"]["dialect"] == "postgresql" and endpoints["lock_store"]["type"] == "redis"
    assert endpoints["nlg"]["type"] == "bot.rasa_plugins.nlg.MultilingualNLG"
