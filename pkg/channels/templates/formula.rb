# Written by the release pipeline (pkg/channels/homebrew.py) from @SOURCE@: regenerate, don't edit.
class @CLASS_NAME@ < Formula
  desc @DESC@
  homepage @HOMEPAGE@
  version @VERSION@
  license @LICENSE@

  livecheck do
@LIVECHECK@
  end

@BODY@

  def install
    # Homebrew unpacks the archive and stands inside its single top folder.
    libexec.install Dir["*"]
@LINKS@
  end

  test do
@TEST@
  end
end
