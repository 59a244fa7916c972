using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Exp.Report.Serving;
using Exp.Testing;
using Microsoft.Playwright;

namespace Exp.Report.Tests.Browser;

/// <summary>`exp ui` over the same small sweep: the same pages, on loopback only, never writing to the store.</summary>
[Collection(SmallSweepCollection.Name)]
public sealed class UiTests(SmallSweep sweep)
{
    [Fact]
    public async Task Exp_ui_lists_the_sweep_serves_its_report_answers_only_on_loopback_and_never_writes_to_the_store()
    {
        var before = Snapshot(sweep.Runs);
        using var ui = ExpProcess.Start(sweep.Directory, "ui", "runs", "--port", "0");
        var line = await ui.WaitForLineAsync(l => l.StartsWith("Serving ", StringComparison.Ordinal), TimeSpan.FromMinutes(1));
        var address = new Uri(line.Split(" at ")[1].Split(' ')[0]);
        Assert.Equal("127.0.0.1", address.Host);

        await using (var visit = await PageVisit.OpenAsync(sweep.Browser, address.AbsoluteUri))
        {
            var experiment = await visit.Page.Locator("#sweep-table a[href^='/experiments/']").First.GetAttributeAsync("href");
            await visit.Page.Locator("#sweep-table a[href^='/sweeps/']", new PageLocatorOptions { HasText = "kl" }).First.ClickAsync();
            await visit.Page.WaitForURLAsync("**/sweeps/**");

            await visit.AssertReportDrawsAsync(SmallSweep.TrialCount);
            Assert.Equal(1, await visit.Page.Locator("a[href='/']").CountAsync());
            var trial = "/trials/" + await visit.Page.Locator("#trial-table tbody tr").First.GetAttributeAsync("data-run");
            foreach (var page in new[] { experiment!, trial })
            {
                await visit.Page.GotoAsync(new Uri(address, page).AbsoluteUri);
                Assert.True(await visit.Page.Locator("#trial-table tbody tr").CountAsync() >= 1, page);
            }
            Assert.Empty(visit.Errors);
            Assert.All(visit.Requests, url => Assert.StartsWith(address.GetLeftPart(UriPartial.Authority), url, StringComparison.Ordinal));
        }

        Assert.All(Listeners(address.Port), local => Assert.True(IPAddress.IsLoopback(local), $"listening on {local}"));
        Assert.NotEmpty(Listeners(address.Port));
        foreach (var other in NonLoopbackAddresses())
        {
            using var client = new TcpClient(other.AddressFamily);
            var refused = await Assert.ThrowsAnyAsync<SocketException>(() => client.ConnectAsync(other, address.Port));
            Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        }
        Assert.Equal(before, Snapshot(sweep.Runs));
    }

    [Fact]
    public async Task The_page_of_a_running_sweep_reloads_when_its_store_changes()
    {
        // A copy of the store in which the sweep is still running.
        var copy = Path.Combine(sweep.Directory, "running-copy");
        CopyDirectory(sweep.Runs, copy);
        var report = Directory.GetParent(Path.GetDirectoryName(sweep.RunReport.Replace(sweep.Runs, copy))!)!.FullName;
        var meta = Path.Combine(report, "meta.yaml");
        File.WriteAllText(meta, Regex.Replace(File.ReadAllText(meta), @"(?m)^status: \d+$", "status: 1"));
        await using var server = await ReportServer.StartAsync(copy, IPAddress.Loopback, 0);

        await using var visit = await PageVisit.OpenAsync(sweep.Browser, new Uri(server.Address, $"/sweeps/{Path.GetFileName(report)}").AbsoluteUri);
        // The page's first poll only records the store's stamp; the store may change once the server has answered it.
        // Awaited from now: had the first answer come already, the next one serves as well.
        var poll = visit.Page.WaitForResponseAsync(response => new Uri(response.Url).AbsolutePath.StartsWith("/changes/", StringComparison.Ordinal));
        Assert.Contains("running", await visit.Page.Locator("header .live").InnerTextAsync());
        await visit.Page.EvaluateAsync("() => { window.notReloaded = true; }");
        await (await poll).FinishedAsync(); // one poll sees the store as it is
        Assert.True(await visit.Page.EvaluateAsync<bool>("() => window.notReloaded === true"));

        var trial = Directory.EnumerateDirectories(Path.GetDirectoryName(report)!).First(d => d != report && File.Exists(Path.Combine(d, "metrics", "eval", "elbo")));
        File.AppendAllText(Path.Combine(trial, "metrics", "eval", "elbo"), "1764000000000 1.5 999\n");

        await visit.Page.WaitForFunctionAsync("() => window.notReloaded === undefined");
        Assert.Empty(visit.Errors);
    }

    /// <summary>Every file of the store with its size and last write: equal before and after means nothing was written.</summary>
    private static IReadOnlyList<string> Snapshot(string root) =>
        Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
            .Select(path => new FileInfo(path))
            .Select(info => $"{Path.GetRelativePath(root, info.FullName)} {(info.Exists ? info.Length : -1)} {info.LastWriteTimeUtc.Ticks}")
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>The local addresses of the sockets listening on a port, from the kernel's own tables.</summary>
    private static IReadOnlyList<IPAddress> Listeners(int port)
    {
        var addresses = new List<IPAddress>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" }.Where(File.Exists))
        {
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var local = fields[1].Split(':');
                if (fields[3] == "0A" && int.Parse(local[1], NumberStyles.HexNumber) == port)
                {
                    // The kernel prints each 32-bit word of the address in host (little-endian) byte order.
                    var bytes = Convert.FromHexString(local[0]);
                    for (var word = 0; word < bytes.Length; word += 4)
                    {
                        Array.Reverse(bytes, word, 4);
                    }
                    addresses.Add(new IPAddress(bytes));
                }
            }
        }
        return addresses;
    }

    private static IEnumerable<IPAddress> NonLoopbackAddresses() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .Where(a => !IPAddress.IsLoopback(a) && a.AddressFamily == AddressFamily.InterNetwork);

    private static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
