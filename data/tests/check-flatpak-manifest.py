#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks flatpak/<app id>.json: valid JSON, the keys Flathub needs, finish-args no broader
than a local server with a window needs, every downloaded source pinned; then, when
flatpak-builder is installed, that it parses the manifest without a warning.

Usage: check-flatpak-manifest.py MANIFEST APP_ID"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

manifest_path, app_id = sys.argv[1], sys.argv[2]
errors = []

try:
    with open(manifest_path, encoding='utf-8') as f:
        manifest = json.load(f)
except (OSError, ValueError) as e:
    sys.exit(f'{manifest_path}: not valid JSON: {e}')

for key in ('id', 'runtime', 'runtime-version', 'sdk', 'command', 'finish-args', 'modules'):
    if key not in manifest:
        errors.append(f'missing key "{key}"')
if 'app-id' in manifest:
    errors.append('"app-id" is the deprecated alias of "id"')
if manifest.get('id') != app_id:
    errors.append(f'id is {manifest.get("id")!r}, not {app_id!r}')
if os.path.basename(manifest_path) != app_id + '.json':
    errors.append('the file is not named after the app id')
if manifest.get('runtime') != 'org.gnome.Platform' or manifest.get('sdk') != 'org.gnome.Sdk':
    errors.append('runtime and sdk must be org.gnome.Platform and org.gnome.Sdk')
version = str(manifest.get('runtime-version', ''))
if version != 'master' and not (version.isdigit() and int(version) >= 43):
    errors.append(f'runtime-version {version!r}: GNOME 43 (libadwaita 1.2) or newer')
if manifest.get('command') != 'crier':
    errors.append('command must be crier')

finish_args = manifest.get('finish-args', [])
needed = {'--share=network', '--socket=wayland', '--socket=fallback-x11', '--device=dri'}
allowed = needed | {'--share=ipc'}
for arg in sorted(needed - set(finish_args)):
    errors.append(f'finish-args lacks {arg}')
for arg in finish_args:
    if arg not in allowed:
        errors.append(f'finish-args {arg} is broader than Crier needs')
if len(finish_args) != len(set(finish_args)):
    errors.append('finish-args has duplicates')


def check_module(module, where):
    if isinstance(module, str):  # a path to a module file, relative to the manifest
        path = os.path.join(os.path.dirname(manifest_path), module)
        try:
            with open(path, encoding='utf-8') as f:
                module = json.load(f)
        except (OSError, ValueError) as e:
            errors.append(f'{where}: {module}: {e}')
            return
    name = module.get('name', '?')
    where = f'{where}/{name}'
    for source in module.get('sources', []):
        if isinstance(source, str):
            errors.append(f'{where}: source file {source} is not checked, inline it')
            continue
        kind = source.get('type')
        if kind == 'dir':
            continue
        if kind in ('archive', 'file', 'extra-data'):
            if 'path' in source and 'url' not in source:
                continue  # a file of this repository
            if not any(k in source for k in ('sha256', 'sha512')):
                errors.append(f'{where}: {kind} source {source.get("url")} has no sha256')
        elif kind == 'git':
            if 'commit' not in source:
                errors.append(f'{where}: git source {source.get("url")} has no commit')
        elif kind in ('patch', 'script', 'shell', 'inline'):
            continue
        else:
            errors.append(f'{where}: source type {kind!r} cannot be pinned')
    for sub in module.get('modules', []):
        check_module(sub, where)


for module in manifest.get('modules', []):
    check_module(module, 'modules')

builder = shutil.which('flatpak-builder')
if builder:
    env = dict(os.environ, G_DEBUG='fatal-warnings')
    # flatpak-builder creates .flatpak-builder/ in its working directory: use a throwaway one
    with tempfile.TemporaryDirectory() as cwd:
        run = subprocess.run([builder, '--show-manifest', os.path.abspath(manifest_path)],
                             env=env, cwd=cwd, capture_output=True, text=True)
    if run.returncode != 0:
        errors.append(f'flatpak-builder --show-manifest failed: {run.stderr.strip()}')
    else:
        print('flatpak-builder --show-manifest: ok')
else:
    print('flatpak-builder not installed: --show-manifest not run')

for e in errors:
    print(f'{manifest_path}: {e}', file=sys.stderr)
if errors:
    sys.exit(1)
print(f'{manifest_path}: ok ({len(finish_args)} finish-args, every source pinned)')
