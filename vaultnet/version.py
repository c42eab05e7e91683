"""vaultnet's version, in a module of its own: the modules that print or hash it import
this rather than the package, whose public names import the build."""

VERSION = "0.1.0"
