using Microsoft.Playwright;

namespace Exp.Report.Tests.Browser;

/// <summary>
/// Debian's Chromium driven by Playwright. Playwright's own browser download cannot work here
/// (and is never needed): the browser is /usr/bin/chromium, which scripts/test.sh installs.
/// </summary>
public static class Chromium
{
    public const string Executable = "/usr/bin/chromium";

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"{Executable} is missing: `apt-get install chromium` (scripts/test.sh does it)");
        }
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Executable,
            Headless = true,
            // No sandbox as root; nothing may reach the network behind the page's back.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        });
        return (playwright, browser);
    }
}
