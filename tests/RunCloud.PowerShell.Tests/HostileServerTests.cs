using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text;
using System.Threading;
using RunCloud.PowerShell.Commands;
using RunCloud.PowerShell.Http;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>
    /// A lying or broken server cannot hang, bloat or leak: every <see cref="HostileMode"/> against a listing, an add, a removal and a sync, through the
    /// module's cmdlets in an in-process runspace at -Verbose and -Debug. Each run must end within its time budget, stay
    /// under a memory ceiling, fail with one precise ErrorId, and leave no secret and no raw control character in any
    /// stream, error record (exception chain included) or formatted output.
    /// </summary>
    [Collection(ProcessStateFolderCollection.Name)]
    public class HostileServerTests
    {
        /// <summary>A hang detector: the slowest mode (drip: two 1 s attempts, then a look-up) needs a few seconds.</summary>
        public static readonly TimeSpan Budget = TimeSpan.FromSeconds(20);

        /// <summary>Managed heap growth allowed during one run; the size cap is 1 MB, an unbounded read grows by gigabytes.</summary>
        public const long MemoryCeiling = 64L * 1024 * 1024;

        /// <summary>A sync that made some changes and failed others: a non-terminating error beside its result.</summary>
        public const string SyncFailed = "RunCloudSyncFailed";

        public static readonly string[] Operations = { "List", "Add", "Remove", "Sync" };

        private static string Script(string operation) => operation switch
        {
            "List" => "Get-RunCloudDomain",
            "Add" => "Add-RunCloudDomain -Name new.example.com -PassThru",
            "Remove" => "Remove-RunCloudDomain -Name old.example.com -Confirm:$false",
            "Sync" => "Sync-RunCloudDomain -Domain example.com, new.example.com -Prune -Force -Confirm:$false",
            _ => throw new ArgumentOutOfRangeException(nameof(operation)),
        };

        /// <summary>The one ErrorId each mode must end with, per operation (null: succeeds without error).</summary>
        public static string? Expected(HostileMode mode, string operation) => mode switch
        {
            HostileMode.Normal => null,
            HostileMode.Drip => ErrorIds.TransportError,
            HostileMode.Truncate => ErrorIds.TransportError,
            HostileMode.ResetMidBody => ErrorIds.TransportError,
            HostileMode.Huge => ErrorIds.InvalidResponse,
            HostileMode.EndlessPages => operation == "Add" ? null : ErrorIds.InvalidResponse,
            HostileMode.RepeatedPage => operation == "Add" ? null : ErrorIds.InvalidResponse,
            HostileMode.WrongTypes => ErrorIds.InvalidResponse,
            HostileMode.EchoSecret => operation == "Add" ? ErrorIds.ValidationFailed : ErrorIds.ServerError,
            HostileMode.ControlCharacters => operation == "Add" ? ErrorIds.ValidationFailed : ErrorIds.InvalidResponse,
            HostileMode.RetryAfterDay => ErrorIds.RateLimited,
            HostileMode.Redirect => ErrorIds.UnexpectedResponse,
            HostileMode.CutOnDelete => operation == "Remove" ? ErrorIds.TransportError : operation == "Sync" ? SyncFailed : null,
            // Absent by a fresh read is success, whatever the 404 said; still listed after a 404 is an error.
            HostileMode.VanishedDomain => null,
            HostileMode.LyingNotFound => operation == "Remove" ? ErrorIds.UnexpectedResponse : operation == "Sync" ? SyncFailed : null,
            _ => throw new ArgumentOutOfRangeException(nameof(mode)),
        };

        public static IEnumerable<object[]> AllScenarios() =>
            Enum.GetValues(typeof(HostileMode)).Cast<HostileMode>().SelectMany(m => Operations.Select(o => new object[] { m, o }));

        [Theory]
        [MemberData(nameof(AllScenarios))]
        public void EveryModeEndsInTimeInMemoryWithItsErrorIdAndNoSecret(HostileMode mode, string operation)
        {
            ScenarioResult result = Run(mode, operation);
            Assert.True(result.Elapsed < Budget, $"{mode}/{operation} took {result.Elapsed.TotalSeconds:0.0} s, over the {Budget.TotalSeconds} s budget");
            Assert.True(result.PeakHeapGrowth < MemoryCeiling, $"{mode}/{operation} grew the heap by {result.PeakHeapGrowth / 1048576} MB");
            string? expected = Expected(mode, operation);
            string[] ids = result.ErrorIds.Distinct().ToArray();
            if (expected == null) Assert.True(ids.Length == 0, $"{mode}/{operation}: unexpected errors {string.Join(", ", ids)}:\n{result.Text}");
            else Assert.True(ids.Length == 1 && ids[0] == expected, $"{mode}/{operation}: expected only {expected}, got [{string.Join(", ", ids)}]:\n{result.Text}");
            Assert.True(result.Leaks.Count == 0, $"{mode}/{operation} leaked: {string.Join("; ", result.Leaks)}");
        }

        [Fact]
        public void ASyncWhoseRemovalAnswerIsCutStillReportsTheDomainItAdded()
        {
            using var server = new HostileServer(HostileMode.Normal);
            using Runspace runspace = OpenRunspace();
            using (var connect = System.Management.Automation.PowerShell.Create())
            {
                connect.Runspace = runspace;
                connect.AddScript("Connect-RunCloud -Token $args[0] -BaseUri $args[1] -ServerId 1 -WebAppId 2 -SkipValidation -TimeoutSec 2 -MaxAttempts 2 -RateLimit 0")
                    .AddArgument(RunCloud.PowerShell.Auth.SecureText.FromPlain(HostileServer.Secret)).AddArgument(server.BaseUri.AbsoluteUri);
                connect.Invoke();
            }

            server.Mode = HostileMode.CutOnDelete;
            Environment.SetEnvironmentVariable("RUNCLOUD_STATE_PATH", Path.Combine(Path.GetTempPath(), "rc-cut-" + Guid.NewGuid().ToString("N")));
            using var ps = System.Management.Automation.PowerShell.Create();
            ps.Runspace = runspace;
            ps.AddScript("Sync-RunCloudDomain -Domain example.com, new.example.com -Prune -Force -NoSslReset -Confirm:$false");
            var output = ps.Invoke(); // a terminating error would throw here: "stopped before any change" would be a lie
            var result = Assert.IsType<RunCloud.PowerShell.Models.RunCloudSyncResult>(Assert.Single(output).BaseObject);
            Assert.Contains("new.example.com", result.Added);
            Assert.Contains(result.Failed, f => f.Name == "old.example.com" && f.ErrorId == ErrorIds.TransportError);
            Assert.Contains(ps.Streams.Error, e => e.FullyQualifiedErrorId.StartsWith(SyncFailed, StringComparison.Ordinal));
        }

        /// <summary>One scenario's outcome; also what bench/Invoke-HostileServer.ps1 reports.</summary>
        public sealed class ScenarioResult
        {
            public HostileMode Mode { get; set; }
            public string Operation { get; set; } = string.Empty;
            public TimeSpan Elapsed { get; set; }
            public long PeakHeapGrowth { get; set; }
            public List<string> ErrorIds { get; } = new List<string>();
            public List<string> Leaks { get; } = new List<string>();
            public string Text { get; set; } = string.Empty;
            public int Requests { get; set; }
        }

        internal static string RepoRoot()
        {
            string? dir = AppContext.BaseDirectory;
            while (dir != null && !File.Exists(Path.Combine(dir, "RunCloud.PowerShell.sln"))) dir = Path.GetDirectoryName(dir);
            return dir ?? throw new InvalidOperationException("RunCloud.PowerShell.sln not found above " + AppContext.BaseDirectory);
        }

        internal static Runspace OpenRunspace()
        {
            InitialSessionState state = InitialSessionState.CreateDefault2();
            // The cmdlets and the engine (whose types scripts name), as the built module has PowerShell load them.
            state.ImportPSModule(new[] { typeof(RunCloud.PowerShell.Commands.SyncRunCloudDomainCommand).Assembly.Location, typeof(RunCloudCmdlet).Assembly.Location });
            string module = Path.Combine(RepoRoot(), "module");
            foreach (string format in Directory.GetFiles(module, "*.Format.ps1xml", SearchOption.AllDirectories)) state.Formats.Add(new SessionStateFormatEntry(format));
            Runspace runspace = RunspaceFactory.CreateRunspace(state);
            runspace.Open();
            return runspace;
        }

        public static ScenarioResult Run(HostileMode mode, string operation)
        {
            string state = Path.Combine(Path.GetTempPath(), "rc-hostile-" + Guid.NewGuid().ToString("N"));
            Environment.SetEnvironmentVariable("RUNCLOUD_STATE_PATH", state);
            using var server = new HostileServer(HostileMode.Normal);
            using Runspace runspace = OpenRunspace();
            using (var connect = System.Management.Automation.PowerShell.Create())
            {
                connect.Runspace = runspace;
                connect.AddScript("Connect-RunCloud -Token $args[0] -BaseUri $args[1] -ServerId 1 -WebAppId 2 -SkipValidation -TimeoutSec 1 -MaxAttempts 2 "
                    + "-MaxRetryDuration 00:00:20 -RateLimit 0 -MaxResponseSize 1MB")
                    .AddArgument(RunCloud.PowerShell.Auth.SecureText.FromPlain(HostileServer.Secret)).AddArgument(server.BaseUri.AbsoluteUri);
                connect.Invoke();
                if (connect.HadErrors) throw new InvalidOperationException("Connect-RunCloud failed: " + connect.Streams.Error[0]);
            }

            server.Mode = mode;
            var result = new ScenarioResult { Mode = mode, Operation = operation };
            using var ps = System.Management.Automation.PowerShell.Create();
            ps.Runspace = runspace;
            ps.AddScript("$VerbosePreference = 'Continue'; $DebugPreference = 'Continue'; $ErrorActionPreference = 'Continue'; "
                + "$global:hostileOut = $null; try { $global:hostileOut = @(" + Script(operation) + ") } catch { $_ }");

            var memory = new MemorySampler();
            var clock = Stopwatch.StartNew();
            IAsyncResult handle = ps.BeginInvoke();
            bool ended = handle.AsyncWaitHandle.WaitOne(Budget + TimeSpan.FromSeconds(10));
            result.Elapsed = clock.Elapsed;
            result.PeakHeapGrowth = memory.Stop();
            if (!ended)
            {
                ps.Stop();
                result.Leaks.Add("did not end");
                result.Elapsed = TimeSpan.MaxValue;
                return result;
            }

            var output = ps.EndInvoke(handle);
            var text = new StringBuilder();
            var streamLines = new List<string>();
            var errors = new List<ErrorRecord>(ps.Streams.Error);
            errors.AddRange(output.Select(o => o?.BaseObject).OfType<ErrorRecord>());
            foreach (ErrorRecord e in errors)
            {
                result.ErrorIds.Add(e.FullyQualifiedErrorId.Split(',')[0]);
                streamLines.Add(e.ToString());
                streamLines.Add(e.ErrorDetails?.Message ?? string.Empty);
                streamLines.Add(e.ErrorDetails?.RecommendedAction ?? string.Empty);
                streamLines.Add(e.Exception.ToString()); // the whole exception chain, as a log of $_.Exception would show
            }

            streamLines.AddRange(ps.Streams.Verbose.Select(v => v.Message));
            streamLines.AddRange(ps.Streams.Debug.Select(v => v.Message));
            streamLines.AddRange(ps.Streams.Warning.Select(v => v.Message));
            streamLines.AddRange(ps.Streams.Information.Select(v => v.ToString() ?? string.Empty));
            streamLines.AddRange(ps.Streams.Progress.SelectMany(p => new[] { p.Activity, p.StatusDescription, p.CurrentOperation ?? string.Empty }));

            // The format views and the transcript are checked where the Utility cmdlets exist: tests/pester/HostileServer.Tests.ps1.
            foreach (string line in streamLines) text.AppendLine(line);
            result.Text = text.ToString();
            result.Requests = server.Requests.Count;

            foreach (string secret in new[] { HostileServer.Secret, "Bearer " + HostileServer.Secret })
            {
                if (result.Text.Contains(secret, StringComparison.Ordinal)) result.Leaks.Add("the token");
            }

            foreach (string line in streamLines)
            {
                if (line.Any(c => c == '\u001b' || (c >= '\u0080' && c <= '\u009f'))) result.Leaks.Add("a raw control character: " + Escape(line));
            }

            foreach (string line in result.Text.Split('\n'))
            {
                if (line.Any(c => c == '\u001b' || (c >= '\u0080' && c <= '\u009f') || (c < ' ' && c != '\r' && c != '\t')))
                {
                    result.Leaks.Add("a raw control character in the output: " + Escape(line));
                }

                if (line.TrimStart().StartsWith("FORGED", StringComparison.Ordinal) || line.TrimStart().StartsWith("[ERROR] FORGED", StringComparison.Ordinal))
                {
                    result.Leaks.Add("a forged line: " + Escape(line));
                }
            }

            try { Directory.Delete(state, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            return result;
        }

        private static string Escape(string s) => Models.ServerText.Escape(s.Length > 200 ? s.Substring(0, 200) : s);
    }
}
