#!/bin/bash
# http-answers.sh URL: succeeds when URL answers HTTP, with any status (an RGW's port).
# Run by the ssh backend (Remote.script).
/usr/bin/python3 -c 'import sys,urllib.request as u
try:
    u.urlopen(sys.argv[1], timeout=3)
except u.HTTPError:
    pass' "$1"
