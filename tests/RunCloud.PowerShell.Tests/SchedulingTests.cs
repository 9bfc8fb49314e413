using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Xml.Linq;
using RunCloud.PowerShell.Commands.Scheduling;
using RunCloud.PowerShell.Models;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>The pure parts of the scheduled sync: quoting for each scheduler, the cron schedule, the rotating log, the exit-code rules.</summary>
    public class SchedulingTests : IDisposable
    {
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "runcloud-scheduling-" + Guid.NewGuid().ToString("N"));

        public SchedulingTests() => Directory.CreateDirectory(_folder);

        public void Dispose() => Directory.Delete(_folder, true);

        /// <summary>Arguments that break naive quoting: spaces, both quotes, $, %, backslashes (trailing too), a PowerShell script.</summary>
        public static readonly string[] Hard =
        {
            "plain", "with space", "it's", "say \"hi\"", "$HOME and ${X} and $$", "100%", "C:\\Program Files\\x\\", "a\\\\\"b", "",
            "try { Import-Module '/o''brien/m' -ErrorAction Stop; exit $LASTEXITCODE } catch { exit 1 }", "tab\there",
        };

        private static string[] Echo(string file, string arguments)
        {
            var info = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, UseShellExecute = false };
            using Process p = Process.Start(info)!;
            string output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return output.Split('\0').Where((_, i) => i < output.Split('\0').Length - 1).ToArray();
        }

#if !NETFX_LANE
        // The process-level checks run on .NET (ProcessStartInfo.ArgumentList; .NET's own Windows-rule argument splitting).
        [Fact]
        public void PosixQuotingGivesShTheExactArguments()
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return;
            string line = "printf '%s\\0' " + string.Join(" ", Hard.Select(Quoting.Posix));
            var info = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, UseShellExecute = false };
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add(line);
            using Process p = Process.Start(info)!;
            string output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            Assert.Equal(Hard, output.Split('\0').Take(Hard.Length).ToArray());
        }

        [Fact]
        public void WindowsQuotingSplitsBackIntoTheSameArguments()
        {
            // .NET splits a ProcessStartInfo.Arguments string with the Windows rules (CommandLineToArgvW) on every platform.
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return;
            string[] back = Echo("/usr/bin/printf", "%s\\0 " + Quoting.WindowsLine(Hard).Replace("%", "%"));
            Assert.Equal(Hard, back);
        }
#endif

        [Fact]
        public void SystemdQuotingDoublesDollarAndPercentAndEscapesQuotes()
        {
            Assert.Equal("/usr/bin/pwsh", Quoting.Systemd("/usr/bin/pwsh"));
            Assert.Equal("\"a b\"", Quoting.Systemd("a b"));
            Assert.Equal("\"exit $$LASTEXITCODE\"", Quoting.Systemd("exit $LASTEXITCODE"));
            Assert.Equal("100%%", Quoting.Systemd("100%"));
            Assert.Equal("\"say \\\"hi\\\" C:\\\\x\"", Quoting.Systemd("say \"hi\" C:\\x"));
        }

        [Theory]
        [InlineData(1, "* * * * *")]
        [InlineData(10, "*/10 * * * *")]
        [InlineData(30, "*/30 * * * *")]
        [InlineData(60, "0 * * * *")]
        [InlineData(180, "0 */3 * * *")]
        [InlineData(1440, "0 0 * * *")]
        [InlineData(7, null)]
        [InlineData(90, null)]
        [InlineData(300, null)]
        public void CronCanOnlyRepeatAtDivisorsOfAnHourOrADay(int minutes, string? expected) =>
            Assert.Equal(expected, CronEntry.Schedule(TimeSpan.FromMinutes(minutes)));

        [Fact]
        public void CronEntriesAreFoundAndRemovedByTheirMarkerOnly()
        {
            string ours = CronEntry.Lines("runcloud-sync", "*/10 * * * *", "flock -n x pwsh");
            var crontab = new List<string> { "MAILTO=ops@example.com", "0 3 * * * /usr/local/bin/backup" };
            crontab.AddRange(ours.TrimEnd('\n').Split('\n'));
            crontab.AddRange(CronEntry.Lines("other", "0 * * * *", "flock -n y pwsh").TrimEnd('\n').Split('\n'));
            List<string> kept = CronEntry.Without(crontab, "runcloud-sync", out int removed);
            Assert.Equal(1, removed);
            Assert.Equal(new[] { "MAILTO=ops@example.com", "0 3 * * * /usr/local/bin/backup" }, kept.Take(2));
            Assert.Contains(kept, l => l.Contains("flock -n y pwsh"));
            Assert.DoesNotContain(kept, l => l.Contains("flock -n x pwsh"));
        }

        [Fact]
        public void ACronLineEscapesPercentForCron()
        {
            string lines = CronEntry.Lines("t", "* * * * *", "echo 100%");
            Assert.EndsWith("* * * * * echo 100\\%\n", lines);
        }

        [Fact]
        public void TheScheduledScriptImportsByFolderAndExitsWithTheSyncsCode()
        {
            ScheduledCommandLine c = ScheduledCommandLine.Build(new[] { "/usr/bin/dotnet", "/opt/pwsh/pwsh.dll" }, "/opt/modules/RunCloud.PowerShell",
                new[] { new KeyValuePair<string, object>("Manifest", "/etc/run'cloud/fleet.json"), new KeyValuePair<string, object>("Prune", true),
                        new KeyValuePair<string, object>("Exclude", new[] { "*.staging.example.com", "a'b" }), new KeyValuePair<string, object>("MaxRemove", 3) });
            Assert.Equal("/usr/bin/dotnet", c.Executable);
            Assert.Equal(new[] { "/opt/pwsh/pwsh.dll", "-NoProfile", "-NonInteractive", "-Command" }, c.Arguments.Take(4));
            Assert.Contains("Import-Module '/opt/modules/RunCloud.PowerShell' -ErrorAction Stop;", c.Script);
            Assert.Contains("Invoke-RunCloudScheduledSync -Manifest '/etc/run''cloud/fleet.json' -Prune -Exclude '*.staging.example.com','a''b' -MaxRemove 3 -InformationAction Continue | Out-Null; exit $LASTEXITCODE", c.Script);
            Assert.Contains("catch {", c.Script);
            Assert.Contains("exit 1 }", c.Script);
        }

        [Theory]
        [InlineData("/home/u/.local/share/powershell/Modules/RunCloud.PowerShell/0.2.0", "/home/u/.local/share/powershell/Modules/RunCloud.PowerShell")]
        [InlineData("/home/u/.local/share/powershell/Modules/RunCloud.PowerShell/0.2.0/", "/home/u/.local/share/powershell/Modules/RunCloud.PowerShell")]
        [InlineData("/work/out/RunCloud.PowerShell", "/work/out/RunCloud.PowerShell")]
        [InlineData("/opt/x/0.2.0", "/opt/x/0.2.0")]
        public void TheModuleIsImportedFromAboveItsVersionFolder(string moduleBase, string expected) =>
            Assert.Equal(expected, PwshLocator.ModuleFolder(moduleBase, "RunCloud.PowerShell"));

        [Fact]
        public void TheTaskXmlUsesTheDocumentedElementsAndNoPassword()
        {
            ScheduledCommandLine c = ScheduledCommandLine.Build(new[] { "C:\\Program Files\\PowerShell\\7\\pwsh.exe" }, "C:\\Modules\\RunCloud.PowerShell",
                new[] { new KeyValuePair<string, object>("Manifest", "C:\\runcloud\\fleet.json") });
            string xml = TaskSchedulerXml.Render("runcloud-sync", "RunCloud domain sync", c, "NETWORK SERVICE", "S4U", TimeSpan.FromMinutes(15), TimeSpan.FromHours(2), new DateTime(2026, 1, 1, 10, 0, 0));
            XNamespace ns = TaskSchedulerXml.Namespace;
            XDocument doc = XDocument.Parse(xml);
            Assert.Equal(ns + "Task", doc.Root!.Name);
            Assert.Equal("PT15M", doc.Descendants(ns + "Interval").Single().Value);
            Assert.Equal("2026-01-01T10:00:00", doc.Descendants(ns + "StartBoundary").Single().Value);
            Assert.Equal("S-1-5-20", doc.Descendants(ns + "UserId").Single().Value);
            Assert.Empty(doc.Descendants(ns + "LogonType")); // a service account runs without a logon type or password
            Assert.Equal("IgnoreNew", doc.Descendants(ns + "MultipleInstancesPolicy").Single().Value);
            Assert.Equal("C:\\Program Files\\PowerShell\\7\\pwsh.exe", doc.Descendants(ns + "Command").Single().Value);
            Assert.StartsWith("-NoProfile -NonInteractive -Command \"", doc.Descendants(ns + "Arguments").Single().Value);
            Assert.DoesNotContain("Password", xml.Replace("<LogonType>Password</LogonType>", string.Empty));
        }

        [Fact]
        public void TheLogRotatesAtTheLimitKeepingTheNewestFiles()
        {
            string path = Path.Combine(_folder, "logs", "sync.log");
            var now = new DateTimeOffset(2026, 1, 5, 10, 20, 0, TimeSpan.Zero);
            for (int run = 1; run <= 5; run++)
            {
                using var log = new RotatingLog(path, 100, 2, () => now);
                log.Open();
                log.Write("INFO", $"run {run} " + new string('x', 120));
            }

            Assert.True(File.Exists(path));
            Assert.True(File.Exists(path + ".1"));
            Assert.True(File.Exists(path + ".2"));
            Assert.False(File.Exists(path + ".3"));
            Assert.StartsWith("2026-01-05T10:20:00+00:00 INFO  run 5 ", File.ReadAllText(path));
            Assert.Contains("run 4 ", File.ReadAllText(path + ".1"));
            Assert.Contains("run 3 ", File.ReadAllText(path + ".2"));
        }

        [Fact]
        public void ALogLineNeverSpansTwoLines()
        {
            string path = Path.Combine(_folder, "one.log");
            using (var log = new RotatingLog(path, 1_000_000, 5))
            {
                log.Open();
                log.Write("ERROR", "first\nsecond\r\nthird\u001b[31m");
            }

            string[] lines = File.ReadAllLines(path);
            Assert.Single(lines);
            Assert.EndsWith("first second third\\u001b[31m", lines[0]);
        }

        [Fact]
        public void ADirectoryIsNotALog()
        {
            using var log = new RotatingLog(_folder, 100, 2);
            Assert.Throws<IOException>(() => log.Open());
        }

        [Theory]
        [InlineData("RunCloudAuthenticationFailed,RunCloud.PowerShell.Commands.SyncRunCloudDomainCommand", RunCloudSyncExitCode.CredentialsRefused)]
        [InlineData("RunCloudForbidden", RunCloudSyncExitCode.CredentialsRefused)]
        [InlineData("RunCloudInvalidManifest", RunCloudSyncExitCode.Configuration)]
        [InlineData("RunCloudCredentialsNotFound", RunCloudSyncExitCode.Configuration)]
        [InlineData("RunCloudNotFound", RunCloudSyncExitCode.Configuration)]
        [InlineData("RunCloudSyncTooManyRemovals", RunCloudSyncExitCode.Guard)]
        [InlineData("RunCloudFleetTooManyCalls", RunCloudSyncExitCode.Guard)]
        [InlineData("RunCloudServerError", RunCloudSyncExitCode.RetryNextRun)]
        [InlineData("RunCloudAppLocked", RunCloudSyncExitCode.RetryNextRun)]
        [InlineData("RunCloudTransportError", RunCloudSyncExitCode.RetryNextRun)]
        public void ARunLevelErrorMapsToItsExitCode(string errorId, RunCloudSyncExitCode expected) => Assert.Equal(expected, ExitCodes.ForRun(errorId));

        [Fact]
        public void AFailedChangeIsRetriedUnlessTheCredentialsWereRefused()
        {
            Assert.Equal(RunCloudSyncExitCode.RetryNextRun, ExitCodes.ForItem("RunCloudNotFound"));
            Assert.Equal(RunCloudSyncExitCode.RetryNextRun, ExitCodes.ForItem("RunCloudValidationFailed"));
            Assert.Equal(RunCloudSyncExitCode.CredentialsRefused, ExitCodes.ForItem("RunCloudAuthenticationFailed"));
        }

        [Fact]
        public void TheCodeAPersonMustActOnFirstWins()
        {
            Assert.Equal(RunCloudSyncExitCode.CredentialsRefused, ExitCodes.Worst(RunCloudSyncExitCode.Configuration, RunCloudSyncExitCode.CredentialsRefused));
            Assert.Equal(RunCloudSyncExitCode.Configuration, ExitCodes.Worst(RunCloudSyncExitCode.Guard, RunCloudSyncExitCode.Configuration));
            Assert.Equal(RunCloudSyncExitCode.Guard, ExitCodes.Worst(RunCloudSyncExitCode.RetryNextRun, RunCloudSyncExitCode.Guard));
            Assert.Equal(RunCloudSyncExitCode.RetryNextRun, ExitCodes.Worst(RunCloudSyncExitCode.Success, RunCloudSyncExitCode.RetryNextRun));
            // A health finding ranks below every code of a run that failed, and above success.
            Assert.Equal(RunCloudSyncExitCode.RetryNextRun, ExitCodes.Worst(RunCloudSyncExitCode.HealthCheckFailed, RunCloudSyncExitCode.RetryNextRun));
            Assert.Equal(RunCloudSyncExitCode.Guard, ExitCodes.Worst(RunCloudSyncExitCode.Guard, RunCloudSyncExitCode.HealthCheckFailed));
            Assert.Equal(RunCloudSyncExitCode.HealthCheckFailed, ExitCodes.Worst(RunCloudSyncExitCode.Success, RunCloudSyncExitCode.HealthCheckFailed));
            Assert.Equal(RunCloudSyncExitCode.HealthCheckFailed, ExitCodes.Worst(RunCloudSyncExitCode.HealthCheckFailed, RunCloudSyncExitCode.Success));
        }

        [Theory]
        [InlineData("RunCloudHealthUncovered")]
        [InlineData("RunCloudHealthExpiring,RunCloud.PowerShell.Commands.GetRunCloudNetworkStatusCommand")]
        public void AFailedHealthRuleIsExitCodeFive(string errorId)
        {
            Assert.Equal(RunCloudSyncExitCode.HealthCheckFailed, ExitCodes.ForRun(errorId));
            Assert.Equal(RunCloudSyncExitCode.HealthCheckFailed, ExitCodes.ForItem(errorId));
            Assert.Equal(5, (int)RunCloudSyncExitCode.HealthCheckFailed);
        }
    }
}
