#!/usr/bin/env sh
# Print the path of a Python 3.10 interpreter (Rasa 3.6 runs on 3.8-3.10).
# Order: python3.10 on the PATH, then pyenv's 3.10; otherwise say what to install.
if command -v python3.10 >/dev/null 2>&1 && python3.10 -c "import sys" >/dev/null 2>&1; then
  command -v python3.10
  exit 0
fi
if command -v pyenv >/dev/null 2>&1; then
  for candidate in "$(pyenv root)"/versions/3.10*/bin/python3.10; do
    if [ -x "$candidate" ]; then
      echo "$candidate"
      exit 0
    fi
  done
fi
echo "Python 3.10 not found. Rasa 3.6 needs Python 3.8-3.10: install python3.10 (e.g. 'pyenv install 3.10' or your system's python3.10 package) and run make again." >&2
exit 1
