using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using RunCloud.PowerShell.Auth;
using RunCloud.PowerShell.Commands.Completion;
using RunCloud.PowerShell.Commands.Scheduling;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Sources;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// Registers Invoke-RunCloudScheduledSync with the platform's scheduler in one command: a Task Scheduler task, a systemd
    /// service + timer, or a crontab entry with flock, running a manifest (or one app's source) every -Interval. With
    /// -OutputPath it only writes the files (to review, commit, or install elsewhere). The command it registers imports
    /// this module from the folder it is installed in and exits with the scheduled sync's exit code; no secret is ever
    /// written (credentials come from a vault, an environment file or a credential file the task's account can read).
    /// Installing runs the scheduler's own tools (Register-ScheduledTask, systemctl, crontab), looked up by name.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Register, "RunCloudSyncTask", DefaultParameterSetName = ManifestSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium,
        HelpUri = HelpUris.Base + "Register-RunCloudSyncTask.md")]
    [OutputType(typeof(RunCloudSyncTask))]
    public sealed class RegisterRunCloudSyncTaskCommand : RunCloudCmdlet
    {
        private const string ManifestSet = "Manifest";
        private const string PathSet = "Path";
        private const string WordPressSet = "WordPress";
        internal const string DefaultTaskName = "runcloud-sync";
        internal static readonly Regex TaskNameRule = new Regex(@"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$", RegexOptions.CultureInvariant);

        /// <summary>The task's name: the systemd unit name, the crontab marker, the Task Scheduler task (letters, digits, '-', '_', '.').</summary>
        [Parameter(Position = 1)]
        [Alias("Name")]
        [ValidateNotNullOrEmpty]
        public string TaskName { get; set; } = DefaultTaskName;

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = ManifestSet)]
        [ValidateNotNullOrEmpty]
        public string Manifest { get; set; } = string.Empty;

        [Parameter(ParameterSetName = ManifestSet)]
        [ValidateRange(1, 64)]
        public int ThrottleLimit { get; set; } = 5;

        [Parameter(ParameterSetName = ManifestSet)]
        [ValidateRange(0, int.MaxValue)]
        public int MaxCalls { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = PathSet)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = string.Empty;

        [Parameter(Mandatory = true, ParameterSetName = WordPressSet)]
        [ValidateNotNullOrEmpty]
        public string WordPressPath { get; set; } = string.Empty;

        [Parameter(ParameterSetName = WordPressSet)]
        [AllowEmptyCollection]
        public string[] WpCliArgument { get; set; } = Array.Empty<string>();

        /// <summary>How the task reads the network (Invoke-RunCloudScheduledSync -Via): Database (its default) or WpCli.</summary>
        [Parameter(ParameterSetName = WordPressSet)]
        public Sources.UltimateMultisite.RunCloudMappingSource? Via { get; set; }

        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = WordPressSet)]
        [ArgumentCompleter(typeof(ServerIdCompleter))]
        [ValidateRange(1, long.MaxValue)]
        public long? ServerId { get; set; }

        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = WordPressSet)]
        [Alias("AppId")]
        [ArgumentCompleter(typeof(WebAppIdCompleter))]
        [ValidateRange(1, long.MaxValue)]
        public long? WebAppId { get; set; }

        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = WordPressSet)]
        [ValidateNotNullOrEmpty]
        public string? WpConfigPath { get; set; }

        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = WordPressSet)]
        public SwitchParameter Prune { get; set; }

        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = WordPressSet)]
        [ValidateNotNull]
        public string[] Exclude { get; set; } = Array.Empty<string>();

        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = WordPressSet)]
        [ValidateRange(0, int.MaxValue)]
        public int MaxRemove { get; set; } = 10;

        /// <summary>How often: every 10 minutes by default; whole minutes, 1 minute to 31 days (cron: a divisor of an hour or of a day).</summary>
        /// <summary>Invoke-RunCloudScheduledSync -FailOn: after each sync, check the network's health and exit 5 when names break these rules.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? FailOn { get; set; }

        /// <summary>Invoke-RunCloudScheduledSync -Live: the health check probes what the server serves over TLS.</summary>
        [Parameter]
        public SwitchParameter Live { get; set; }

        /// <summary>Invoke-RunCloudScheduledSync -StatusHtmlPath: the network status as an HTML page, replaced each run.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? StatusHtmlPath { get; set; }

        [Parameter]
        public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(10);

        /// <summary>How old an app's last full listing may get before a run lists it in full again (default one day); passed to each run.</summary>
        [Parameter]
        public TimeSpan? ReconcileEvery { get; set; }

        /// <summary>How old an app's last full listing may get before the full check lists it instead of the one-call drift check (default seven days); passed to each run.</summary>
        [Parameter]
        public TimeSpan? FullListEvery { get; set; }

        /// <summary>
        /// One app's source: the account's API calls a month, passed to each run (a manifest's connections say theirs with
        /// "monthlyQuota"): a run past -QuotaStopPercent of it stops before sending (exit code 6), and the projection printed
        /// now is compared with it.
        /// </summary>
        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = WordPressSet)]
        [ValidateRange(1L, long.MaxValue)]
        public long? MonthlyQuota { get; set; }

        /// <summary>With -MonthlyQuota: the share, in percent, past which a run stops before sending (default 90).</summary>
        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = WordPressSet)]
        [ValidateRange(1, 100)]
        public int? QuotaStopPercent { get; set; }

        /// <summary>TaskScheduler, Systemd or Cron; default the platform's (Task Scheduler on Windows, systemd on Linux with systemctl, cron elsewhere).</summary>
        [Parameter]
        [ValidateSet("TaskScheduler", "Systemd", "Cron", IgnoreCase = true)]
        public string? Scheduler { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? LogPath { get; set; }

        /// <summary>The PowerShell the task runs (default: the one running this command); a pwsh.dll runs under the dotnet host.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? PwshPath { get; set; }

        /// <summary>The folder the task imports RunCloud.PowerShell from (default: where this module is installed, above its version folder).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? ModulePath { get; set; }

        /// <summary>The account the task runs as (systemd User=, crontab -u, the task's principal).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? User { get; set; }

        /// <summary>Task Scheduler: the -User's password, given to Register-ScheduledTask (never written): the task then runs with the user's full logon, DPAPI included.</summary>
        [Parameter]
        [Credential]
        public PSCredential? Credential { get; set; }

        /// <summary>Systemd and Cron: a file of NAME=value lines (mode 0600) with the environment the sync needs (tokens, RUNCLOUD_* variables).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? EnvironmentFile { get; set; }

        /// <summary>Write the files here instead of installing: &lt;TaskName&gt;.service and .timer, &lt;TaskName&gt;.cron, or &lt;TaskName&gt;.xml.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? OutputPath { get; set; }

        /// <summary>Systemd: where the unit files are installed (default /etc/systemd/system as root, ~/.config/systemd/user otherwise).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? UnitDirectory { get; set; }

        /// <summary>Replace a task of the same name.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>A run longer than this is stopped by the scheduler (systemd TimeoutStartSec, Task Scheduler ExecutionTimeLimit).</summary>
        internal static readonly TimeSpan TimeLimit = TimeSpan.FromHours(2);

        protected override void ProcessRecord()
        {
            bool output = OutputPath != null;
            string scheduler = ResolveScheduler();
            if (!TaskNameRule.IsMatch(TaskName))
            {
                Refuse($"-TaskName '{TaskName}' is not usable: use 1 to 64 letters, digits, '-', '_' or '.', starting with a letter or digit (it names the systemd unit, the crontab entry and the task).", TaskName);
            }

            if (Interval < TimeSpan.FromMinutes(1) || Interval > TimeSpan.FromDays(31) || Interval.Ticks % TimeSpan.TicksPerMinute != 0)
            {
                Refuse($"-Interval {Interval} is not usable: give whole minutes, from 00:01:00 to 31.00:00:00 (e.g. -Interval 00:10:00).", Interval);
            }

            string? cronSchedule = null;
            if (scheduler == "Cron")
            {
                cronSchedule = CronEntry.Schedule(Interval);
                if (cronSchedule == null)
                {
                    Refuse($"cron cannot run every {Interval}: its intervals divide an hour (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30 minutes) or a day (1, 2, 3, 4, 6, 8, 12, 24 hours). Pick one of those, or use -Scheduler Systemd.", Interval);
                }
            }

            if (Credential != null && scheduler != "TaskScheduler") Refuse("-Credential is for Task Scheduler (the -User's password); systemd and cron run as -User without one.", null);
            if (EnvironmentFile != null && scheduler == "TaskScheduler")
            {
                Refuse("-EnvironmentFile is for systemd and cron. A Task Scheduler task has the environment of its account: keep the token in a vault or a credential file the manifest names (DPAPI-protected on Windows), or in the account's environment variables.", EnvironmentFile);
            }

            // Every path the task reads is made absolute now: a scheduler starts it elsewhere.
            var warnings = new List<string>();
            var sync = new List<KeyValuePair<string, object>>();
            FleetManifest? manifest = null;
            string? manifestFolder = null;
            string description;
            switch (ParameterSetName)
            {
                case ManifestSet:
                    string manifestPath = Absolute(Manifest, "-Manifest", mustExist: !output, warnings);
                    manifestFolder = System.IO.Path.GetDirectoryName(manifestPath) ?? ".";
                    manifest = File.Exists(manifestPath) ? ReadManifest(manifestPath) : null;
                    sync.Add(Pair("Manifest", manifestPath));
                    if (ThrottleLimit != 5) sync.Add(Pair("ThrottleLimit", ThrottleLimit));
                    if (MaxCalls > 0) sync.Add(Pair("MaxCalls", MaxCalls));
                    description = $"RunCloud domain sync '{TaskName}' (manifest {manifestPath})";
                    break;
                case PathSet:
                    string file = Absolute(Path, "-Path", mustExist: !output, warnings);
                    sync.Add(Pair("Path", file));
                    description = $"RunCloud domain sync '{TaskName}' (file {file})";
                    break;
                default:
                    string root = Absolute(WordPressPath, "-WordPressPath", mustExist: false, warnings);
                    sync.Add(Pair("WordPressPath", root));
                    if (Via.HasValue)
                    {
                        if (Via.Value == Sources.UltimateMultisite.RunCloudMappingSource.Rest)
                        {
                            ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput, "-Via Rest reads UM's REST API, which needs its API key and secret: a scheduled task cannot carry them on its command line. Read the network on its host (-Via Database or WpCli), or list it in a manifest with 'ultimateMultisiteUri' and the environment variables that hold the key and secret (docs/fleet.md).", Via));
                        }

                        sync.Add(Pair("Via", Via.Value.ToString()));
                    }

                    if (WpCliArgument.Length > 0) sync.Add(Pair("WpCliArgument", (IEnumerable<string>)WpCliArgument));
                    description = $"RunCloud domain sync '{TaskName}' (WordPress network {root})";
                    break;
            }

            if (ParameterSetName != ManifestSet)
            {
                if (ServerId.HasValue) sync.Add(Pair("ServerId", ServerId.Value));
                if (WebAppId.HasValue) sync.Add(Pair("WebAppId", WebAppId.Value));
                if (WpConfigPath != null) sync.Add(Pair("WpConfigPath", Absolute(WpConfigPath, "-WpConfigPath", mustExist: !output, warnings)));
                if (Prune) sync.Add(Pair("Prune", true));
                if (Exclude.Length > 0) sync.Add(Pair("Exclude", (IEnumerable<string>)Exclude));
                if (MaxRemove != 10) sync.Add(Pair("MaxRemove", MaxRemove));
            }

            if (FailOn != null)
            {
                // Checked now, not at the first run: a typo must not register a task that exits 1 every 10 minutes.
                try
                {
                    IReadOnlyList<Sync.Status.HealthRule> rules = Sync.Status.HealthRule.ParseAll(FailOn, 14);
                    if (!Live && rules.Any(r => r.Kind == Sync.Status.HealthRule.NotServed)) throw new ArgumentException("-FailOn NotServed judges what the server serves, which only -Live probes: add -Live, or drop NotServed.");
                    sync.Add(Pair("FailOn", (IEnumerable<string>)rules.Select(r => r.Text).ToArray()));
                }
                catch (ArgumentException ex)
                {
                    Refuse(ex.Message, FailOn);
                }
            }

            if (ReconcileEvery.HasValue)
            {
                if (ReconcileEvery.Value <= TimeSpan.Zero) Refuse($"-ReconcileEvery {ReconcileEvery} must be longer than zero, e.g. 1.00:00:00 (a day).", ReconcileEvery);
                sync.Add(Pair("ReconcileEvery", ReconcileEvery.Value.ToString("c", CultureInfo.InvariantCulture)));
            }

            if (FullListEvery.HasValue)
            {
                if (FullListEvery.Value <= TimeSpan.Zero) Refuse($"-FullListEvery {FullListEvery} must be longer than zero, e.g. 7.00:00:00 (a week).", FullListEvery);
                sync.Add(Pair("FullListEvery", FullListEvery.Value.ToString("c", CultureInfo.InvariantCulture)));
            }

            if (QuotaStopPercent.HasValue && !MonthlyQuota.HasValue) Refuse("-QuotaStopPercent is a share of -MonthlyQuota: pass -MonthlyQuota too.", QuotaStopPercent);
            if (MonthlyQuota.HasValue) sync.Add(Pair("MonthlyQuota", MonthlyQuota.Value));
            if (QuotaStopPercent.HasValue) sync.Add(Pair("QuotaStopPercent", QuotaStopPercent.Value));
            if (Live) sync.Add(Pair("Live", true));
            if (StatusHtmlPath != null) sync.Add(Pair("StatusHtmlPath", Absolute(StatusHtmlPath, "-StatusHtmlPath", mustExist: false, warnings)));

            string logPath = LogPath != null ? SessionState.Path.GetUnresolvedProviderPathFromPSPath(LogPath) : InvokeRunCloudScheduledSyncCommand.DefaultLogPath(TaskName + ".log");
            if (LogPath == null && User != null && !string.Equals(User, Environment.UserName, StringComparison.OrdinalIgnoreCase))
            {
                warnings.Add($"The log defaults to {logPath}, in your state folder; the task runs as {User}, who may not be able to write there (the run would then exit 1). Pass -LogPath with a file {User} can write.");
            }
            sync.Add(Pair("LogPath", logPath));

            string? environmentFile = null;
            if (EnvironmentFile != null)
            {
                environmentFile = Absolute(EnvironmentFile, "-EnvironmentFile", mustExist: !output, warnings);
                CheckEnvironmentFile(environmentFile, manifest, warnings);
            }

            var loadCredentials = new List<KeyValuePair<string, string>>();
            if (manifest != null)
            {
                foreach (ManifestConnection c in manifest.Connections.Values)
                {
                    if (c.Kind == ManifestConnectionKind.CredentialFile && scheduler == "Systemd")
                    {
                        string credential = System.IO.Path.IsPathRooted(c.CredentialPath!) ? c.CredentialPath! : System.IO.Path.GetFullPath(System.IO.Path.Combine(manifestFolder!, c.CredentialPath!));
                        loadCredentials.Add(new KeyValuePair<string, string>(c.Name, credential));
                    }

                    if (c.Kind == ManifestConnectionKind.EnvironmentVariable && environmentFile == null)
                    {
                        warnings.Add(scheduler == "TaskScheduler"
                            ? $"Connection '{c.Name}' reads its token from the environment variable {c.TokenEnvironmentVariable}: set it for the task's account (a machine or user variable), or keep the token in a vault or credential file instead."
                            : $"Connection '{c.Name}' reads its token from the environment variable {c.TokenEnvironmentVariable}, and no -EnvironmentFile sets it for the task: pass -EnvironmentFile with a file (mode 0600) that holds {c.TokenEnvironmentVariable}=<token>.");
                    }

                    if (c.Kind == ManifestConnectionKind.CredentialFile && scheduler == "TaskScheduler" && Credential == null && TaskSchedulerXml.ServiceAccountSid(User) == null)
                    {
                        warnings.Add($"Connection '{c.Name}' reads a credential file; a task without -Credential runs as S4U, which cannot open what DPAPI protected for the user. Pass -Credential (the task then stores the password), or run it as the account that wrote the file with its password.");
                    }
                }
            }
            else if (ParameterSetName != ManifestSet && WpConfigPath == null && environmentFile == null && scheduler != "TaskScheduler")
            {
                warnings.Add("The task reads its credentials from the environment (RUNCLOUD_API_TOKEN, RUNCLOUD_SERVER_ID, ...), and no -EnvironmentFile gives it any: pass -EnvironmentFile (mode 0600) or -WpConfigPath.");
            }

            List<string> pwsh = ResolvePwsh(output, warnings);
            string modulePath = ModulePath != null
                ? SessionState.Path.GetUnresolvedProviderPathFromPSPath(ModulePath)
                : PwshLocator.ModuleFolder(MyInvocation.MyCommand.Module?.ModuleBase ?? System.IO.Path.GetDirectoryName(typeof(RegisterRunCloudSyncTaskCommand).Assembly.Location)!, "RunCloud.PowerShell");
            foreach (string value in pwsh.Append(modulePath).Concat(sync.Select(p => p.Value).OfType<string>()).Concat(WpCliArgument).Concat(Exclude))
            {
                if (Quoting.HasControl(value)) Refuse($"'{value.Replace("\n", "\\n").Replace("\r", "\\r")}' holds a line break or control character, which no scheduler's command line can carry. Rename the file or folder.", value);
            }

            ScheduledCommandLine command = ScheduledCommandLine.Build(pwsh, modulePath, sync);
            foreach (string warning in warnings) WriteWarning(warning);

            var task = new RunCloudSyncTask
            {
                Name = TaskName,
                Scheduler = scheduler,
                IntervalMinutes = (int)Interval.TotalMinutes,
                User = User,
                LogPath = logPath,
            };
            Project(task, manifest);

            switch (scheduler)
            {
                case "Systemd":
                    string service = SystemdUnits.Service(TaskName, description, command, User, environmentFile, loadCredentials, TimeLimit);
                    string timer = SystemdUnits.Timer(TaskName, description, Interval);
                    task.CommandLine = string.Join(" ", command.Argv.Select(Quoting.Systemd));
                    if (output) task.Files = WriteFiles((TaskName + ".service", service, Encoding.ASCII), (TaskName + ".timer", timer, Encoding.ASCII));
                    else InstallSystemd(task, service, timer);
                    break;
                case "Cron":
                    string lockFile = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(logPath) ?? System.IO.Path.GetTempPath(), TaskName + ".lock");
                    string commandPart = CronEntry.Command(command, lockFile, environmentFile);
                    string lines = CronEntry.Lines(TaskName, cronSchedule!, commandPart);
                    task.CommandLine = commandPart;
                    if (output) task.Files = WriteFiles((TaskName + ".cron", lines, Encoding.ASCII));
                    else InstallCron(task, lines, cronSchedule!);
                    break;
                default:
                    string xml = TaskSchedulerXml.Render(TaskName, description, command, User, Credential != null ? "Password" : "S4U", Interval, TimeLimit, StartOfNextMinute());
                    task.CommandLine = Quoting.Windows(command.Executable) + " " + Quoting.WindowsLine(command.Arguments);
                    if (output) task.Files = WriteFiles((TaskName + ".xml", xml, new UnicodeEncoding(false, true)));
                    else InstallTaskScheduler(task, xml);
                    break;
            }

            WriteObject(task);
        }

        private static KeyValuePair<string, object> Pair(string name, object value) => new KeyValuePair<string, object>(name, value);

        /// <summary>
        /// The API calls a month the schedule is expected to cost the apps it syncs (state folder only, no request): printed,
        /// and kept on the task object; a warning when it passes a quota the manifest or -MonthlyQuota gives.
        /// </summary>
        private void Project(RunCloudSyncTask task, FleetManifest? manifest)
        {
            var apps = new List<(string, long, long)>();
            var quotas = new List<long>();
            string DefaultHost() => HostOf(Environment.GetEnvironmentVariable(Auth.CredentialResolver.BaseUriVariable));
            if (manifest != null)
            {
                foreach (FleetTarget t in manifest.Targets)
                {
                    string host = DefaultHost();
                    if (t.Connection != null && manifest.Connections.TryGetValue(t.Connection, out ManifestConnection? c))
                    {
                        host = HostOf(c.BaseUri);
                        if (c.MonthlyQuota.HasValue) quotas.Add(c.MonthlyQuota.Value);
                    }
                    else if (t.Connection != null && Session.ConnectionRegistry.Get(t.Connection) is Session.RunCloudConnection open)
                    {
                        host = State.AppStateKey.ApiHostOf(open.BaseUri);
                    }

                    apps.Add((host, t.ServerId, t.WebAppId));
                }
            }
            else
            {
                long? s = ServerId ?? Id(Auth.CredentialResolver.ServerVariable);
                long? w = WebAppId ?? Id(Auth.CredentialResolver.AppVariable);
                if (s.HasValue && w.HasValue) apps.Add((DefaultHost(), s.Value, w.Value));
                if (MonthlyQuota.HasValue) quotas.Add(MonthlyQuota.Value);
            }

            if (apps.Count == 0)
            {
                WriteInformation(new HostInformationMessage { Message = "Projected API calls a month: unknown (no web app ids to project: pass -ServerId and -WebAppId)." }, new[] { "PSHOST" });
                return;
            }

            TimeSpan every = ReconcileEvery ?? Sync.ChangeDetector.DefaultReconcileEvery;
            TimeSpan listEvery = FullListEvery ?? Sync.ChangeDetector.DefaultFullListEvery;
            try
            {
                task.CallProjection = SyncTaskProjection.For(apps, Interval, every, listEvery, DateTime.UtcNow, State.JournalStore.Default(), State.UsageLedger.Default()).ToArray();
            }
            catch (State.StateException ex)
            {
                WriteWarning($"The projected API calls could not be read from the state folder: {ex.Message}");
                return;
            }

            List<RunCloudCallProjection> known = task.CallProjection.Where(p => p.PerMonth.HasValue).ToList();
            task.ProjectedMonthlyCalls = known.Count == 0 ? (long?)null : known.Sum(p => p.PerMonth!.Value);
            // The headline says which apps the sum covers: all of them, some (the others unknown), or none yet.
            int appCount = task.CallProjection.Length;
            string total = known.Count == 0
                ? $"unknown until the first sync of its {appCount} app(s) from this state folder"
                : task.ProjectedMonthlyCalls!.Value.ToString("N0", CultureInfo.InvariantCulture)
                  + (known.Count < appCount ? $" for {known.Count} of {appCount} app(s), the others unknown until their first sync" : string.Empty);
            var lines = new List<string> { $"Projected API calls a month for '{TaskName}' (every {Interval}, full check every {every}, full listing every {listEvery}): {total}." };
            lines.AddRange(task.CallProjection.Select(p => "  " + p));
            WriteInformation(new HostInformationMessage { Message = string.Join(Environment.NewLine, lines) }, new[] { "PSHOST" });
            long? quota = quotas.Count > 0 ? quotas.Min() : (long?)null;
            if (quota.HasValue && task.ProjectedMonthlyCalls > quota.Value)
            {
                WriteWarning($"The schedule's projected {task.ProjectedMonthlyCalls:N0} calls a month pass the monthly quota of {quota:N0}: lengthen -ReconcileEvery or -FullListEvery, or raise the quota.");
            }
        }

        private static string HostOf(string? baseUri)
        {
            string text = string.IsNullOrWhiteSpace(baseUri) ? Session.RunCloudConnection.DefaultHost : baseUri!.Trim();
            return Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) ? State.AppStateKey.ApiHostOf(uri) : text;
        }

        private static long? Id(string variable) =>
            long.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.None, CultureInfo.InvariantCulture, out long id) && id > 0 ? id : (long?)null;

        private static DateTime StartOfNextMinute()
        {
            DateTime now = DateTime.Now;
            return new DateTime(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, DateTimeKind.Local).AddMinutes(1);
        }

        private string ResolveScheduler()
        {
            if (Scheduler != null) return Scheduler.Equals("systemd", StringComparison.OrdinalIgnoreCase) ? "Systemd" : Scheduler.Equals("cron", StringComparison.OrdinalIgnoreCase) ? "Cron" : "TaskScheduler";
            return PwshLocator.DefaultScheduler(InvokeCommand.GetCommand("systemctl", CommandTypes.Application | CommandTypes.Function) != null);
        }

        private string Absolute(string path, string parameter, bool mustExist, List<string> warnings)
        {
            string full = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
            if (!File.Exists(full) && !Directory.Exists(full))
            {
                string message = $"{parameter} {full} does not exist{(mustExist ? string.Empty : " here")}.";
                if (mustExist) Refuse(message + " The task would fail on every run; create it first, or pass -OutputPath to only write the files.", path);
                warnings.Add(message + " The task needs it where it runs.");
            }

            return full;
        }

        /// <summary>The manifest, checked now: a task that would fail on every run is not registered.</summary>
        private FleetManifest ReadManifest(string path)
        {
            try
            {
                return ManifestFile.Read(this, path, path);
            }
            catch (ManifestException ex)
            {
                ThrowTerminatingError(ErrorRecords.Create(ex, ErrorIds.InvalidManifest, ErrorCategory.InvalidData, path, ex.Message + " Nothing was registered."));
                throw;
            }
            catch (RuntimeException ex)
            {
                ThrowTerminatingError(ErrorRecords.Create(ex, ErrorIds.InvalidManifest, ErrorCategory.InvalidData, path, $"Manifest {path} is not a valid PowerShell data file: {ex.Message} Nothing was registered."));
                throw;
            }
        }

        /// <summary>
        /// The environment file holds secrets: on Unix it must be private (mode 0600, like an SSH key), and it should set
        /// the variables the manifest names. Its values are never read into messages.
        /// </summary>
        private void CheckEnvironmentFile(string path, FleetManifest? manifest, List<string> warnings)
        {
            if (!File.Exists(path)) return;
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows) && CredentialFile.UnixMode(path) is int mode && (mode & 0x3F) != 0)
            {
                Refuse($"-EnvironmentFile {path} has mode 0{Convert.ToString(mode & 0x1FF, 8)}: its group or other users may read or change the secrets in it. chmod 600 '{path}' first.", path);
            }

            if (manifest == null) return;
            var names = new HashSet<string>(File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith("#", StringComparison.Ordinal) && l.Contains('='))
                .Select(l => l.Substring(0, l.IndexOf('=')).Trim().Replace("export ", string.Empty)), StringComparer.Ordinal);
            foreach (ManifestConnection c in manifest.Connections.Values.Where(c => c.Kind == ManifestConnectionKind.EnvironmentVariable && !names.Contains(c.TokenEnvironmentVariable!)))
            {
                warnings.Add($"Connection '{c.Name}' reads its token from {c.TokenEnvironmentVariable}, which -EnvironmentFile {path} does not set.");
            }
        }

        private List<string> ResolvePwsh(bool output, List<string> warnings)
        {
            try
            {
                if (PwshPath == null) return PwshLocator.Current(SessionState.PSVariable.GetValue("PSHOME")?.ToString() ?? string.Empty);
                string full = SessionState.Path.GetUnresolvedProviderPathFromPSPath(PwshPath);
                if (!File.Exists(full))
                {
                    if (!output) Refuse($"-PwshPath {full} does not exist. Pass the path of pwsh (e.g. /usr/bin/pwsh, C:\\Program Files\\PowerShell\\7\\pwsh.exe).", PwshPath);
                    warnings.Add($"-PwshPath {full} does not exist here; the task needs it where it runs.");
                }

                string? dotnet = (InvokeCommand.GetCommand("dotnet", CommandTypes.Application) as ApplicationInfo)?.Path;
                return PwshLocator.FromPath(full, dotnet);
            }
            catch (InvalidOperationException ex)
            {
                Refuse(ex.Message, PwshPath);
                throw;
            }
        }

        private string[] WriteFiles(params (string Name, string Text, Encoding Encoding)[] files)
        {
            string folder = SessionState.Path.GetUnresolvedProviderPathFromPSPath(OutputPath!);
            var written = new List<string>();
            foreach (var (name, text, encoding) in files)
            {
                string path = System.IO.Path.Combine(folder, name);
                if (!ShouldProcess(path, "Write the scheduled task file")) continue;
                Directory.CreateDirectory(folder);
                File.WriteAllText(path, text, encoding);
                written.Add(path);
            }

            return written.ToArray();
        }

        // ------------------------------------------------------------------ installing

        private static bool IsRoot() => string.Equals(Environment.UserName, "root", StringComparison.Ordinal);

        private void InstallSystemd(RunCloudSyncTask task, string service, string timer)
        {
            if (!IsWhatIf() && InvokeCommand.GetCommand("systemctl", CommandTypes.Application | CommandTypes.Function | CommandTypes.Alias) == null)
            {
                Refuse("systemctl was not found: this system does not run systemd. Use -Scheduler Cron, or -OutputPath to write the units for another machine.", null);
            }

            bool userUnits = UnitDirectory == null && !IsRoot();
            if (userUnits && User != null) Refuse("-User needs a system unit: run Register-RunCloudSyncTask as root (or pass -UnitDirectory /etc/systemd/system with the rights to write there).", User);
            string folder = UnitDirectory != null ? SessionState.Path.GetUnresolvedProviderPathFromPSPath(UnitDirectory)
                : userUnits ? System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config", "systemd", "user")
                : "/etc/systemd/system";
            string servicePath = System.IO.Path.Combine(folder, TaskName + ".service");
            string timerPath = System.IO.Path.Combine(folder, TaskName + ".timer");
            if ((File.Exists(servicePath) || File.Exists(timerPath)) && !Force)
            {
                Refuse($"A systemd unit named {TaskName} already exists in {folder}. Pass -Force to replace it, or choose another -TaskName.", TaskName);
            }

            if (!ShouldProcess($"{servicePath} and {timerPath}", $"Install the systemd service and timer (every {SystemdUnits.Span(Interval)}) and enable it")) return;
            Directory.CreateDirectory(folder);
            File.WriteAllText(servicePath, service, Encoding.ASCII);
            File.WriteAllText(timerPath, timer, Encoding.ASCII);
            task.Files = new[] { servicePath, timerPath };
            string[] scope = userUnits ? new[] { "--user" } : Array.Empty<string>();
            Tool("systemctl", scope.Concat(new[] { "daemon-reload" }).ToArray(), null);
            Tool("systemctl", scope.Concat(new[] { "enable", "--now", TaskName + ".timer" }).ToArray(), null);
            if (userUnits) WriteWarning($"{TaskName}.timer is a user unit: it runs while {Environment.UserName} is logged in, or always after 'loginctl enable-linger {Environment.UserName}'.");
            task.Installed = true;
        }

        private void InstallCron(RunCloudSyncTask task, string lines, string schedule)
        {
            if (InvokeCommand.GetCommand("crontab", CommandTypes.Application | CommandTypes.Function | CommandTypes.Alias) == null)
            {
                if (IsWhatIf())
                {
                    ShouldProcess($"the crontab{(User != null ? " of " + User : string.Empty)}", $"Add the sync task '{TaskName}' ({schedule})");
                    return;
                }

                Refuse("crontab was not found: install cron (e.g. apt-get install cron), or use -Scheduler Systemd, or -OutputPath to write the entry for another machine.", null);
            }

            string[] user = User != null ? new[] { "-u", User } : Array.Empty<string>();
            (int code, string[] current) = Tool("crontab", user.Concat(new[] { "-l" }).ToArray(), null, allowFailure: true);
            if (code != 0 && !current.Any(l => l.IndexOf("no crontab", StringComparison.OrdinalIgnoreCase) >= 0))
            {
                Fail($"crontab -l failed (exit code {code}): {string.Join(" ", current)}");
            }

            int removed = 0;
            List<string> kept = code == 0 ? CronEntry.Without(current, TaskName, out removed) : new List<string>();
            if (removed > 0 && !Force) Refuse($"The crontab{(User != null ? " of " + User : string.Empty)} already has the sync task '{TaskName}'. Pass -Force to replace it, or choose another -TaskName.", TaskName);
            if (!ShouldProcess($"the crontab{(User != null ? " of " + User : string.Empty)}", $"{(removed > 0 ? "Replace" : "Add")} the sync task '{TaskName}' ({schedule})")) return;
            kept.AddRange(lines.TrimEnd('\n').Split('\n'));
            Tool("crontab", user.Concat(new[] { "-" }).ToArray(), string.Join("\n", kept) + "\n");
            task.Installed = true;
        }

        private void InstallTaskScheduler(RunCloudSyncTask task, string xml)
        {
            if (InvokeCommand.GetCommand("Register-ScheduledTask", CommandTypes.Cmdlet | CommandTypes.Function | CommandTypes.Alias) == null)
            {
                Refuse("Register-ScheduledTask is not available here (Task Scheduler is Windows'). Write the task with -OutputPath and register it on Windows: "
                    + "Register-ScheduledTask -TaskName <name> -Xml (Get-Content <file> -Raw).", null);
            }

            if (!ShouldProcess($"Task Scheduler task \\{TaskName}", $"Register the sync task (every {Interval})")) return;
            try
            {
                InvokeCommand.InvokeScript(false, ScriptBlock.Create(
                    "param($n, $x, $u, $c, $f) $p = @{ TaskName = $n; Xml = $x; ErrorAction = 'Stop' }; if ($f) { $p.Force = $true }; "
                    + "if ($c) { $p.User = $c.UserName; $p.Password = $c.GetNetworkCredential().Password } elseif ($u) { $p.User = $u }; Register-ScheduledTask @p | Out-Null"),
                    null, TaskName, xml, User, Credential, Force.IsPresent);
            }
            catch (RuntimeException ex)
            {
                Fail($"Register-ScheduledTask failed: {ex.Message}");
            }

            task.Installed = true;
        }

        /// <summary>Runs a scheduler tool by name (a function can stand in for it in tests); a failure stops the command.</summary>
        private (int Code, string[] Output) Tool(string name, string[] arguments, string? input, bool allowFailure = false)
        {
            (int Code, string[] Output) reply;
            try
            {
                reply = SchedulerTool.Run(this, name, arguments, input);
            }
            catch (RuntimeException ex)
            {
                Fail($"{name} could not run: {ex.Message}");
                throw;
            }

            if (reply.Code != 0 && !allowFailure) Fail($"{name} {string.Join(" ", arguments)} failed (exit code {reply.Code}): {string.Join(" ", reply.Output)}");
            return reply;
        }

        private void Refuse(string message, object? target) =>
            ThrowTerminatingError(ErrorRecords.Create(new ArgumentException(message), ErrorIds.InvalidSyncTask, ErrorCategory.InvalidArgument, target, message + (message.EndsWith("Nothing was registered.", StringComparison.Ordinal) ? string.Empty : " Nothing was registered.")));

        private void Fail(string message) =>
            ThrowTerminatingError(ErrorRecords.Create(new InvalidOperationException(message), ErrorIds.SyncTaskInstallFailed, ErrorCategory.InvalidOperation, TaskName, message));
    }
}
