using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using RunCloud.PowerShell.Sources;
using RunCloud.PowerShell.Sync;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;
using RunCloud.PowerShell.State;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// What New-RunCloudSyncPlan, Invoke-RunCloudSyncPlan and Sync-RunCloudDomain -Manifest share: reading a manifest and
    /// its sources before any request, planning and applying many targets in parallel (the work runs on the thread pool;
    /// every Write* stays on the pipeline thread), the -MaxCalls cap, and the per-target results and the summary.
    /// </summary>
    public abstract class RunCloudFleetCmdlet : RunCloudApiCmdlet
    {
        /// <summary>
        /// A target whose web app another run is changing is refused at once (the others go on): waiting for it would
        /// hold up the whole fleet, and its next run picks it up.
        /// </summary>
        private const int LockTimeoutSeconds = 0;

        /// <summary>Targets name their own connections: nothing is resolved per record (a default connection is not required).</summary>
        protected override void ProcessRecord()
        {
        }

        /// <summary>Reads and validates a manifest (.json or .psd1); a problem stops the command before any request.</summary>
        private protected FleetManifest LoadManifest(string path, out string directory)
        {
            string resolved = ResolveFile(path, "manifest");
            directory = System.IO.Path.GetDirectoryName(resolved) ?? ".";
            try
            {
                if (resolved.EndsWith(".psd1", StringComparison.OrdinalIgnoreCase))
                {
                    // Import-PowerShellDataFile: a data file is parsed, never run.
                    var data = InvokeCommand.InvokeScript(false, ScriptBlock.Create("param($p) Import-PowerShellDataFile -LiteralPath $p -ErrorAction Stop"), null, resolved);
                    return UseConnectionsOf(FleetManifest.ParseData(data.FirstOrDefault(), path), directory);
                }

                return UseConnectionsOf(FleetManifest.ParseJson(File.ReadAllText(resolved), path), directory);
            }
            catch (ManifestException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, ErrorIds.InvalidManifest, ErrorCategory.InvalidData, path) { ErrorDetails = new ErrorDetails(ex.Message + " Nothing was changed.") });
                throw;
            }
            catch (RuntimeException ex)
            {
                string message = $"Manifest {path} is not a valid PowerShell data file: {ex.Message} Fix it (only literal hashtables, arrays, strings, numbers, $true/$false); nothing was changed.";
                ThrowTerminatingError(new ErrorRecord(new InvalidDataException(message, ex), ErrorIds.InvalidManifest, ErrorCategory.InvalidData, path));
                throw;
            }
        }

        /// <summary>The manifest's "connections" map, opened on first use by a target that names one (see ManifestConnections).</summary>
        private ManifestConnections? _manifestConnections;

        private FleetManifest UseConnectionsOf(FleetManifest manifest, string directory)
        {
            _manifestConnections?.Dispose();
            _manifestConnections = new ManifestConnections(manifest, directory);
            return manifest;
        }

        private protected override void ReleaseResources()
        {
            _manifestConnections?.Dispose();
            _manifestConnections = null;
            base.ReleaseResources();
        }

        private protected string ResolveFile(string path, string what)
        {
            try
            {
                return SessionState.Path.GetResolvedProviderPathFromPSPath(path, out _).FirstOrDefault()
                    ?? throw new FileNotFoundException($"{path} was not found.");
            }
            catch (Exception ex) when (ex is ItemNotFoundException || ex is IOException || ex is ProviderNotFoundException || ex is System.Management.Automation.DriveNotFoundException)
            {
                ThrowTerminatingError(new ErrorRecord(ex, what == "manifest" ? ErrorIds.InvalidManifest : ErrorIds.InvalidPlan, ErrorCategory.ObjectNotFound, path)
                {
                    ErrorDetails = new ErrorDetails($"Cannot read the {what} {path}: {ex.Message} Nothing was changed."),
                });
                throw;
            }
        }

        /// <summary>The connection a target names: a named one, or this command's -Connection / the default.</summary>
        private protected RunCloudConnection? ConnectionFor(string? name, out string? problem)
        {
            problem = null;
            if (name != null)
            {
                // A connection open in the session under that name wins over the manifest's own description of it.
                RunCloudConnection? named = ConnectionRegistry.Get(name) ?? _manifestConnections?.OpenOrStop(name, this);
                if (named == null)
                {
                    IReadOnlyList<string> open = ConnectionRegistry.Names();
                    problem = $"names connection '{name}', which is not open and not in the manifest's \"connections\" map. Describe it there (vault + secretName, tokenEnvironmentVariable or credentialPath), or open it with Connect-RunCloud -Name {name} ..." + (open.Count > 0 ? $" (open: {string.Join(", ", open)})." : ".");
                }

                return named;
            }

            RunCloudConnection? c = Connection ?? RunCloudSession.Current;
            if (c == null) problem = "has no connection and no default connection is open. Add \"connection\": \"<name>\" to it, or run Connect-RunCloud first.";
            return c;
        }

        /// <summary>Every target's connection and desired names, read before any request; the first problem stops the command.</summary>
        private protected List<TargetInput> ReadInputs(FleetManifest manifest, string directory)
        {
            var inputs = new List<TargetInput>();
            foreach (FleetTarget t in manifest.Targets)
            {
                RunCloudConnection? connection = ConnectionFor(t.Connection, out string? problem);
                if (connection == null)
                {
                    ThrowTerminatingError(Invalid(ErrorIds.NotConnected, $"Manifest {manifest.Source}: {t.Describe()} {problem} Nothing was changed.", t.Connection, ErrorCategory.ConnectionError));
                }

                var problems = new List<RunCloudSyncSkip>();
                List<string> names;
                switch (t.SourceKind)
                {
                    case FleetSourceKind.Path:
                        names = ReadPathSource(manifest, t, directory, problems);
                        break;
                    case FleetSourceKind.WordPressPath:
                        names = ReadWordPressSource(manifest, t, directory, problems);
                        break;
                    default:
                        names = t.Domains.ToList();
                        break;
                }

                names = DesiredDomainSource.WithKnownTopLevelDomains(names, problems, t.AllowTld);
                inputs.Add(new TargetInput(t, ServiceFor(connection!), connection!.BaseUri.AbsoluteUri, connection.KeyId, names, problems));
            }

            return inputs;
        }

        private List<string> ReadPathSource(FleetManifest manifest, FleetTarget t, string directory, List<RunCloudSyncSkip> problems)
        {
            string full = System.IO.Path.IsPathRooted(t.SourcePath!) ? t.SourcePath! : System.IO.Path.GetFullPath(System.IO.Path.Combine(directory, t.SourcePath!));
            try
            {
                var raw = new List<(string Entry, string Problem)>();
                List<string> names = DesiredDomainSource.ReadFile(full, File.ReadAllText(full), raw);
                problems.AddRange(raw.Select(r => new RunCloudSyncSkip(r.Entry, r.Problem)));
                return names;
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is InvalidDataException)
            {
                string message = $"Manifest {manifest.Source}: {t.Describe()}: field 'path': cannot read {full}: {ex.Message} Nothing was changed.";
                ThrowTerminatingError(new ErrorRecord(new InvalidDataException(message, ex), ErrorIds.InvalidManifest, ErrorCategory.ReadError, full));
                throw;
            }
        }

        /// <summary>The sites of a WordPress network, with WP-CLI: wp site list --path=... --field=url (each url's host is a name).</summary>
        private List<string> ReadWordPressSource(FleetManifest manifest, FleetTarget t, string directory, List<RunCloudSyncSkip> problems)
        {
            string full = System.IO.Path.IsPathRooted(t.SourcePath!) ? t.SourcePath! : System.IO.Path.GetFullPath(System.IO.Path.Combine(directory, t.SourcePath!));
            string where = $"Manifest {manifest.Source}: {t.Describe()}: field 'wordPressPath'";
            if (InvokeCommand.GetCommand("wp", CommandTypes.Application | CommandTypes.Function | CommandTypes.Alias | CommandTypes.ExternalScript) == null)
            {
                ThrowTerminatingError(Invalid(ErrorIds.InvalidManifest, $"{where}: reading a WordPress network needs WP-CLI ('wp') on the PATH, which was not found. Install WP-CLI (https://wp-cli.org), or list the names with 'domains' or 'path'. Nothing was changed.", full, ErrorCategory.ObjectNotFound));
            }

            try
            {
                var output = InvokeCommand.InvokeScript(false, ScriptBlock.Create(
                    "param($p) $global:LASTEXITCODE = 0; $o = & wp site list \"--path=$p\" --field=url 2>$null; if ($LASTEXITCODE) { throw \"wp exited with code $LASTEXITCODE\" }; $o"), null, full);
                var names = new List<string>();
                foreach (PSObject line in output.Where(o => o != null))
                {
                    string? name = DesiredDomainSource.FromObject(new Dictionary<string, string> { ["url"] = line.ToString() }, out string? problem);
                    if (name != null) names.Add(name);
                    else problems.Add(new RunCloudSyncSkip(line.ToString(), "Not a domain: " + problem));
                }

                return names;
            }
            catch (RuntimeException ex)
            {
                string message = $"{where}: 'wp site list --path={full}' failed: {ex.Message} Check the path and that WP-CLI can run there (e.g. --allow-root for root). Nothing was changed.";
                ThrowTerminatingError(new ErrorRecord(new InvalidDataException(message, ex), ErrorIds.InvalidManifest, ErrorCategory.ReadError, full));
                throw;
            }
        }

        private static string SslWords(string action) => action switch
        {
            "Redeploy" => ", redeploy SSL once",
            "PerDomain" => ", install or redeploy SSL per added domain",
            "NoCertificate" => ", check SSL (the app has no certificate)",
            _ => string.Empty,
        };

        private protected RunCloudSyncPlan[] PlanAll(IReadOnlyList<TargetInput> inputs, int throttleLimit)
        {
            WriteVerbose($"RunCloud: planning {inputs.Count} target(s), up to {throttleLimit} at once.");
            return Run(ct => FleetEngine.PlanAllAsync(inputs, throttleLimit, ct));
        }

        /// <summary>
        /// Confirms each target on the pipeline thread, checks the -MaxCalls cap over everything that will be sent, then
        /// applies the approved targets side by side and writes one result per target and the summary.
        /// </summary>
        private protected void ApplyAll(IReadOnlyList<RunCloudSyncPlan> plans, bool verify, int throttleLimit, int maxCalls, bool force, int callsAlreadySpent)
        {
            var clock = Stopwatch.StartNew();
            bool whatIf = IsWhatIf();
            var work = new List<(RunCloudSyncPlan Plan, Api.RunCloudService? Service, string? Refusal)>();
            var declined = new Dictionary<int, string>();
            foreach (RunCloudSyncPlan plan in plans)
            {
                RunCloudConnection? connection = ConnectionFor(plan.Connection, out string? problem);
                string? refusal = connection == null ? $"Target {plan.Index} {problem}" : null;
                if (connection != null && !string.Equals(connection.BaseUri.AbsoluteUri, plan.BaseUri, StringComparison.OrdinalIgnoreCase))
                {
                    refusal = $"The plan for {plan.Target} was made against {plan.BaseUri}, but that connection now points at {connection.BaseUri}. Nothing was changed on it; make a new plan.";
                }
                else if (connection != null && plan.KeyId != null && !string.Equals(connection.KeyId, plan.KeyId, StringComparison.Ordinal))
                {
                    refusal = $"The plan for {plan.Target} was made with the credentials {plan.KeyId}, but that connection now uses {connection.KeyId} (another account?). Nothing was changed on it; make a new plan.";
                }

                if (refusal == null && !plan.IsBlocked && plan.HasWork)
                {
                    string action = $"Apply the sync plan: add {plan.Add.Length}, remove {plan.Remove.Length}" + SslWords(plan.SslAction) + $" ({plan.PlannedCalls} API calls)";
                    if (!ShouldProcessOrForce(force, plan.Target, action))
                    {
                        declined[plan.Index] = whatIf ? "WhatIf" : "Declined";
                        continue;
                    }
                }

                work.Add((plan, connection == null || refusal != null ? null : ServiceFor(connection), refusal));
            }

            int planned = work.Where(w => w.Refusal == null).Sum(w => w.Plan.CallsToApply(verify));
            if (maxCalls > 0 && planned + callsAlreadySpent > maxCalls)
            {
                string spent = callsAlreadySpent > 0 ? $" (plus the {callsAlreadySpent} the planning already sent)" : string.Empty;
                string message = $"The plan needs {planned} API calls{spent}, more than -MaxCalls {maxCalls}. Nothing was changed. Split the manifest, or raise -MaxCalls to {planned + callsAlreadySpent}.";
                ThrowTerminatingError(new ErrorRecord(new InvalidOperationException(message), ErrorIds.TooManyCalls, ErrorCategory.LimitsExceeded, maxCalls)
                {
                    ErrorDetails = new ErrorDetails(message) { RecommendedAction = $"-MaxCalls {planned + callsAlreadySpent}" },
                });
            }

            // One run per app at a time, across processes, and the journal of owed SSL work (safety's AppRuns, as
            // Sync-RunCloudDomain uses them): every target about to change is locked before the first change (one that
            // another run holds is refused, the rest go on), and its SSL redeploy is owed in the journal until it is done,
            // so a crash or a failed redeploy is finished by the next run on that app.
            RunCloudFleetResult[] applied;
            var owed = new Dictionary<int, (AppStateKey Key, bool HadPending)>();
            using (var appRuns = new AppRuns(JournalStore.Default(), MyInvocation.MyCommand.Name, TimeSpan.FromSeconds(LockTimeoutSeconds), CancelToken))
            {
                for (int i = 0; i < work.Count; i++)
                {
                    var (plan, service, refusal) = work[i];
                    if (refusal != null || service == null || plan.IsBlocked || !plan.HasWork) continue;
                    RunCloudConnection connection = ConnectionFor(plan.Connection, out _)!;
                    AppStateKey key = StateKeys.For(connection, plan.ServerId, plan.WebAppId);
                    try
                    {
                        AppJournal? pending = appRuns.Enter(key, connection.BaseUri.AbsoluteUri);
                        if (pending != null)
                        {
                            WriteWarning($"A previous run ({pending.WrittenBy ?? "unknown command"}, {pending.UpdatedAt:u}) left work unfinished on {plan.Target}: "
                                + SyncExecutor.Describe(pending) + (plan.SslAction == "Redeploy" ? ". This run's redeploy finishes it." : ". Finish it with Reset-RunCloudSsl."));
                        }

                        if (!plan.NoSslReset && (plan.SslAction == "Redeploy" || plan.SslAction == "PerDomain"))
                        {
                            appRuns.OweSsl(key, $"{MyInvocation.MyCommand.Name} changes domains ({plan.Add.Length} to add, {plan.Remove.Length} to remove)");
                            owed[plan.Index] = (key, pending != null);
                        }
                    }
                    catch (StateException ex)
                    {
                        work[i] = (plan, null, $"{plan.Target}: {ex.Message} Nothing was changed on it.");
                    }
                    catch (OperationCanceledException)
                    {
                        throw new PipelineStoppedException();
                    }
                }

                applied = work.Count == 0
                    ? Array.Empty<RunCloudFleetResult>()
                    : Run(ct => FleetEngine.ApplyAllAsync(work, throttleLimit, verify, ct));

                foreach (RunCloudFleetResult r in applied)
                {
                    if (!owed.TryGetValue(r.Index, out var entry)) continue;
                    try
                    {
                        if (r.SslRedeployed || (r.Added.Length == 0 && r.Removed.Length == 0 && !entry.HadPending))
                        {
                            appRuns.SslDone(entry.Key);
                        }
                        else if (r.Failed.Any(f => f.Action == "RedeploySsl"))
                        {
                            r.Message += " The SSL redeploy stays owed in the journal: the next Sync-RunCloudDomain or Reset-RunCloudSsl on this web app finishes it.";
                        }
                    }
                    catch (StateException ex)
                    {
                        WriteWarning($"Target {r.Index}: the journal could not be updated: {ex.Message}");
                    }
                }
            }

            var byIndex = applied.ToDictionary(r => r.Index);
            var results = new List<RunCloudFleetResult>();
            foreach (RunCloudSyncPlan plan in plans)
            {
                if (byIndex.TryGetValue(plan.Index, out RunCloudFleetResult? r))
                {
                    results.Add(r);
                }
                else
                {
                    results.Add(new RunCloudFleetResult
                    {
                        Index = plan.Index, Connection = plan.Connection, ServerId = plan.ServerId, WebAppId = plan.WebAppId,
                        Status = declined[plan.Index], PlannedCalls = plan.PlannedCalls,
                        Added = declined[plan.Index] == "WhatIf" ? plan.Add : Array.Empty<string>(),
                        Removed = declined[plan.Index] == "WhatIf" ? plan.Remove.Select(d => d.Name).ToArray() : Array.Empty<string>(),
                        Message = declined[plan.Index] == "WhatIf" ? "-WhatIf: nothing was sent." : "Not confirmed; nothing was sent.",
                    });
                }
            }

            foreach (RunCloudFleetResult r in results) WriteObject(r);
            WriteObject(Summarize(results, plans, throttleLimit, clock.Elapsed, whatIf, callsAlreadySpent));
            foreach (RunCloudFleetResult r in results.Where(r => r.Status == "Refused" || r.Status == "Blocked" || r.Status == "Failed"))
            {
                string id = r.Status == "Refused" ? ErrorIds.FleetTargetRefused : r.Status == "Blocked" ? ErrorIds.FleetTargetBlocked : ErrorIds.FleetTargetFailed;
                WriteError(new ErrorRecord(new InvalidOperationException($"Target {r.Index}: {r.Message}"), id,
                    r.Status == "Failed" ? ErrorCategory.NotSpecified : ErrorCategory.InvalidOperation, r));
            }
        }

        private RunCloudFleetSummary Summarize(List<RunCloudFleetResult> results, IReadOnlyList<RunCloudSyncPlan> plans, int throttleLimit, TimeSpan duration, bool whatIf, int planningCalls)
        {
            var accounts = new List<RunCloudFleetAccountUsage>();
            foreach (var group in results.GroupBy(r => r.Account, StringComparer.OrdinalIgnoreCase).OrderBy(g => g.Key, StringComparer.OrdinalIgnoreCase))
            {
                RunCloudConnection? c = ConnectionFor(group.First().Connection, out _);
                accounts.Add(new RunCloudFleetAccountUsage
                {
                    Account = group.Key,
                    Targets = group.Count(),
                    PlannedCalls = group.Sum(r => r.PlannedCalls),
                    ApiCalls = group.Sum(r => r.ApiCalls) + plans.Where(p => string.Equals(p.Account, group.Key, StringComparison.OrdinalIgnoreCase)).Sum(p => planningCalls > 0 ? p.PlanningCalls : 0),
                    ServerRateLimit = c?.ServerRateLimit,
                    ServerRateLimitRemaining = c?.ServerRateLimitRemaining,
                });
            }

            return new RunCloudFleetSummary
            {
                Targets = results.Count,
                Applied = results.Count(r => r.Status == "Applied"),
                NoChange = results.Count(r => r.Status == "NoChange"),
                Refused = results.Count(r => r.Status == "Refused"),
                Blocked = results.Count(r => r.Status == "Blocked"),
                Failed = results.Count(r => r.Status == "Failed"),
                Declined = results.Count(r => r.Status == "Declined"),
                Added = results.Where(r => r.Status != "WhatIf").Sum(r => r.Added.Length),
                Removed = results.Where(r => r.Status != "WhatIf").Sum(r => r.Removed.Length),
                PlannedCalls = results.Sum(r => r.PlannedCalls),
                ApiCalls = accounts.Sum(a => a.ApiCalls),
                Accounts = accounts.ToArray(),
                ThrottleLimit = throttleLimit,
                Duration = duration,
                WhatIf = whatIf,
                Success = results.All(r => r.Success),
            };
        }
    }
}
