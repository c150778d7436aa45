using Drover.Server.Hosting;

namespace Drover.Server.Tests;

public sealed class ConfigFileFingerprintTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("drover-fingerprint-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Changed_KubeletSymlinkSwap_SeenThroughTheLinks_UnrelatedFilesAndSameContentAreNot()
    {
        await ConfigMapReloadTests.KubeletUpdateAsync(_directory, "max: 3\n", 1);
        var path = Path.Combine(_directory, "fleet.yaml");
        File.CreateSymbolicLink(path, Path.Combine("..data", "fleet.yaml"));
        var fingerprint = new ConfigFileFingerprint(path);
        Assert.True(fingerprint.Changed());

        await File.WriteAllTextAsync(Path.Combine(_directory, "other.yaml"), "unrelated");
        Assert.False(fingerprint.Changed());

        // The kubelet re-projects the same content into a new directory (e.g. another key of the ConfigMap changed).
        await ConfigMapReloadTests.KubeletUpdateAsync(_directory, "max: 3\n", 2);
        Assert.False(fingerprint.Changed());

        await ConfigMapReloadTests.KubeletUpdateAsync(_directory, "max: 5\n", 3);
        Assert.True(fingerprint.Changed());
        Assert.False(fingerprint.Changed());
    }

    [Fact]
    public async Task Changed_FileRemovedThenBack_BothAreChanges()
    {
        var path = Path.Combine(_directory, "fleet.yaml");
        await File.WriteAllTextAsync(path, "max: 3\n");
        var fingerprint = new ConfigFileFingerprint(path);
        Assert.True(fingerprint.Changed());

        File.Delete(path);
        Assert.True(fingerprint.Changed());
        Assert.False(fingerprint.Changed());

        await File.WriteAllTextAsync(path, "max: 3\n");
        Assert.True(fingerprint.Changed());
    }
}
