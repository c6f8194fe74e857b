# Written by the release pipeline (pkg/homebrew.py) from release/$tag/manifest.json: regenerate, don't edit.
class $class_name < Formula
  desc $desc
  homepage $homepage
  version $version
  license $license

  livecheck do
$livecheck
  end

$body

  def install
    # Homebrew unpacks the archive and stands inside its single top folder.
    libexec.install Dir["*"]
$links
  end

  test do
$test
  end
end
