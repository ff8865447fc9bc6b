#!/bin/sh
# Regenerate this catalogue. It also holds the strings of admin_config/imports.py,
# its templates, backend/population/bulk.py and backend/wilayah/bulk.py (so that
# parallel work on those apps' catalogues does not collide); makemessages only
# scans the current folder, hence the temporary symlinks.
set -e
cd "$(dirname "$0")/.."
ln -sf ../../admin_config/imports.py _admin_imports.py
ln -sfn ../../admin_config/templates/admin_config/imports _admin_templates
ln -sf ../population/bulk.py _population_bulk.py
ln -sf ../wilayah/bulk.py _wilayah_bulk.py
trap 'rm -f _admin_imports.py _admin_templates _population_bulk.py _wilayah_bulk.py' EXIT
../../.venv/bin/python ../../manage.py makemessages -l id --symlinks --no-obsolete
