"""The startup floor: a program that does nothing, compiled with the app's Nuitka flags by `make bench`."""
