#!/usr/bin/env sh
# Print the path of a Python 3.10 interpreter (Rasa 3.6 runs on 3.8-3.10).
# Order: python3.10 on the PATH, then pyenv's 3.10 (found through the pyenv
# command or in its usual folders); otherwise say what to install.
works() { [ -x "$1" ] && "$1" -c "import sys; assert sys.version_info[:2] == (3, 10)" >/dev/null 2>&1; }

if command -v python3.10 >/dev/null 2>&1 && works "$(command -v python3.10)"; then
  command -v python3.10
  exit 0
fi
roots="${PYENV_ROOT:-} $HOME/.pyenv"
if command -v pyenv >/dev/null 2>&1; then roots="$(pyenv root) $roots"; fi
for root in $roots; do
  for candidate in "$root"/versions/3.10*/bin/python3.10; do
    if works "$candidate"; then
      echo "$candidate"
      exit 0
    fi
  done
done
echo "Python 3.10 not found. Rasa 3.6 needs Python 3.8-3.10: install python3.10 (e.g. 'pyenv install 3.10' or your system's python3.10 package) and run make again." >&2
exit 1
