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
    config = re.sub(r"listen [\d.:]+;", lambda m: f"listen 127.0.0.1:{free_port()};", config)
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
    assert endpoints["action_endpoint"]["headers"]["Authorization"] == "${ACTION_AUTHORIZATION}"  # the secret


SYSTEMD = ROOT / "deploy" / "systemd"
SERVICES = {
    "atendo-actions.service": "-m bot.action_server",
    "atendo-rasa.service": "-m bot.rasa_plugins.cli run --enable-api",
    "atendo-web.service": "-m bot.web.server",
}
SYSTEMD_ANALYZE = shutil.which("systemd-analyze", path="/usr/bin:/bin")


def unit(name: str) -> dict:
    sections: dict = {}
    section = None
    for line in (SYSTEMD / name).read_text().splitlines():
        if line.startswith("[") and line.endswith("]"):
            section = sections.setdefault(line[1:-1], {})
        elif "=" in line and not line.startswith("#") and section is not None:
            key, value = line.split("=", 1)
            section[key] = value
    return sections


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_each_server_is_restarted_after_a_failure_and_stopped_together(name):
    service = unit(name)
    assert SERVICES[name] in service["Service"]["ExecStart"]
    assert service["Service"]["Restart"] == "on-failure" and float(service["Service"]["RestartSec"]) > 0
    assert service["Service"]["KillSignal"] == "SIGTERM"
    assert service["Unit"]["PartOf"] == "atendo.target" and service["Install"]["WantedBy"] == "atendo.target"
    assert service["Service"]["EnvironmentFile"] == "/etc/atendo/env"
    assert all(other in unit("atendo.target")["Unit"]["Wants"] for other in SERVICES)


def test_the_retention_purge_runs_daily():
    assert unit("atendo-purge.timer")["Timer"]["OnCalendar"] == "daily"
    service = unit("atendo-purge.service")["Service"]
    assert (
        service["Type"] == "oneshot" and "-m bot.privacy --endpoints deploy/endpoints.yml purge" in service["ExecStart"]
    )


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="needs systemd-analyze (Debian's systemd package)")
def test_systemd_accepts_the_units(tmp_path):
    (tmp_path / "env").write_text("RASA_TOKEN=placeholder-for-the-check\n")
    for path in SYSTEMD.iterdir():  # this checkout instead of /opt/atendo, so the commands exist
        text = path.read_text().replace("/opt/atendo", str(ROOT)).replace("User=atendo", "User=root")
        (tmp_path / path.name).write_text(text.replace("/etc/atendo/env", str(tmp_path / "env")))
    checked = subprocess.run(
        [SYSTEMD_ANALYZE, "verify", "--man=no", *[f"./{p.name}" for p in SYSTEMD.iterdir()]],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert checked.returncode == 0 and checked.stderr.strip() == "", checked.stderr
