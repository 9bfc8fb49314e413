using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;
using System.Management.Automation;
using RunCloud.PowerShell.Sources;
using RunCloud.PowerShell.Sources.UltimateMultisite;
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

        /// <summary>Seconds reading a target's WordPress network may take (the command's -SourceTimeoutSec).</summary>
        private protected virtual int NetworkTimeoutSec => 60;

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
                ThrowTerminatingError(ErrorRecords.Wrap(ex, ErrorIds.InvalidManifest, ErrorCategory.InvalidData, path, ex.Message + " Nothing was changed."));
                throw;
            }
            catch (RuntimeException ex)
            {
                string message = $"Manifest {path} is not a valid PowerShell data file: {ex.Message} Fix it (only literal hashtables, arrays, strings, numbers, $true/$false); nothing was changed.";
                ThrowTerminatingError(ErrorRecords.Wrap(new InvalidDataException(message, ex), ErrorIds.InvalidManifest, ErrorCategory.InvalidData, path));
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
                ThrowTerminatingError(ErrorRecords.Wrap(ex, what == "manifest" ? ErrorIds.InvalidManifest : ErrorIds.InvalidPlan, ErrorCategory.ObjectNotFound, path,
                    $"Cannot read the {what} {path}: {ex.Message} Nothing was changed."));
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
            var seen = new Dictionary<string, FleetTarget>(StringComparer.Ordinal);
            foreach (FleetTarget t in manifest.Targets)
            {
                RunCloudConnection? connection = ConnectionFor(t.Connection, out string? problem);
                if (connection == null)
                {
                    ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.NotConnected, $"Manifest {manifest.Source}: {t.Describe()} {problem} Nothing was changed.", t.Connection, ErrorCategory.ConnectionError));
                }

                // A target is its web app (API host + server id + web app id), whatever the connection is called: one app
                // under two connection names would be two syncs of one app against two lists, each pruning the other's names.
                string identity = AppTarget.IdentityOf(connection!.BaseUri.AbsoluteUri, t.ServerId, t.WebAppId);
                if (seen.TryGetValue(identity, out FleetTarget? first))
                {
                    ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidManifest,
                        $"Manifest {manifest.Source}: {first.Describe()} and {t.Describe()} are the same web app ({identity}), reached under two connection names "
                        + $"('{first.Connection ?? "<default>"}' and '{t.Connection ?? "<default>"}'): each would sync it against its own list and prune the other's names. "
                        + "Merge them into one target. Nothing was changed.", t.Connection, ErrorCategory.InvalidData));
                }

                seen[identity] = t;

                var problems = new List<RunCloudSyncSkip>();
                var app = new AppTarget(ServiceFor(connection!), StateKeys.For(connection!, t.ServerId, t.WebAppId), connection!.BaseUri.AbsoluteUri, t.ServerId, t.WebAppId, t.Connection);
                if (t.SourceKind == FleetSourceKind.WordPressPath || t.SourceKind == FleetSourceKind.UltimateMultisiteUri)
                {
                    inputs.Add(ReadNetworkSource(t, app, connection.KeyId, directory));
                    continue;
                }

                List<string> names = t.SourceKind == FleetSourceKind.Path ? ReadPathSource(manifest, t, directory, problems) : t.Domains.ToList();
                names = DesiredDomainSource.WithKnownTopLevelDomains(names, problems, t.AllowTld);
                inputs.Add(new TargetInput(t, app, connection.KeyId, names, problems)
                {
                    ListDescription = t.SourceKind == FleetSourceKind.Path ? "file " + FullPath(directory, t.SourcePath!) : "manifest domains",
                });
            }

            return inputs;
        }

        private static string FullPath(string directory, string path) =>
            System.IO.Path.IsPathRooted(path) ? path : System.IO.Path.GetFullPath(System.IO.Path.Combine(directory, path));

        /// <summary>
        /// A target's WordPress network, read now, before any request to RunCloud. One that cannot be read fails that
        /// target alone (its ErrorId says why: RunCloudUm&lt;Failure&gt;); nothing is sent for it, the others go on.
        /// </summary>
        private TargetInput ReadNetworkSource(FleetTarget t, AppTarget app, string keyId, string directory)
        {
            var input = new TargetInput(t, app, keyId, Array.Empty<string>(), Array.Empty<RunCloudSyncSkip>());
            try
            {
                input.SourceOf = NetworkSourceReader.Read(this, NetworkSourceReader.FromManifest(t, directory, NetworkTimeoutSec), $"target {t.Index}: ");
            }
            catch (UmReadException ex)
            {
                input.SourceFailure = $"Reading its WordPress network failed, so nothing was asked of RunCloud for it: {ex.Message}";
                input.SourceFailureErrorId = ex.ErrorId;
            }

            return input;
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
                ThrowTerminatingError(ErrorRecords.Wrap(new InvalidDataException(message, ex), ErrorIds.InvalidManifest, ErrorCategory.ReadError, full));
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

        /// <summary>
        /// Prepares every item side by side through the apply engine (its lock, journal, live list, plan and SSL preflight;
        /// a dry run or planning takes no lock). A target that cannot be read is Failed, one another run holds is Refused;
        /// the others go on.
        /// </summary>
        private protected void PrepareAll(IReadOnlyList<FleetItem> items, int throttleLimit)
        {
            List<FleetItem> work = items.Where(i => i.Request != null && i.Refusal == null).ToList();
            WriteVerbose($"RunCloud: preparing {work.Count} target(s), up to {throttleLimit} at once.");
            if (work.Count == 0) return;
            Run(ct => FleetEngine.ForEachAsync(work, throttleLimit, async (item, token) =>
            {
                await PrepareOneAsync(item, token).ConfigureAwait(false);
                return item;
            }, ct, i => i.Plan.Connection), pumpAlways: true);
        }

        /// <summary>One target through the engine's prepare (with its lock when taken up front): Failed when it cannot be read, Refused when another run holds it.</summary>
        private static async Task PrepareOneAsync(FleetItem item, CancellationToken token)
        {
            CallCounter counter = CallCounter.Begin();
            try
            {
                item.Prepared = await AppSyncEngine.PrepareAsync(item.App!, item.Request!, item.Host!, token, item.HeldLock).ConfigureAwait(false);
            }
            catch (RunCloudApiException ex)
            {
                item.Failure = $"Reading the live state failed: {ErrorRecords.FailureMessage(ex)}";
                item.ErrorId = ex.ErrorId;
            }
            catch (StateException ex)
            {
                item.Refusal = $"{item.Plan.Target}: {ex.Message} Nothing was changed on it.";
                item.ErrorId = ex.ErrorId;
            }

            item.PrepareCalls = counter.Calls;
        }

        /// <summary>A manifest's targets as engine requests (each with its own run options); a dry run or planning takes no lock.</summary>
        /// <param name="full">-Full: every target's app is listed whatever changed.</param>
        /// <param name="reconcileEvery">-ReconcileEvery (null: a day).</param>
        /// <param name="fullListEvery">-FullListEvery (null: seven days).</param>
        private protected List<FleetItem> ManifestItems(IReadOnlyList<TargetInput> inputs, bool planOnly, bool full = false, TimeSpan? reconcileEvery = null, TimeSpan? fullListEvery = null)
        {
            bool whatIf = IsWhatIf();
            var items = new List<FleetItem>();
            foreach (TargetInput input in inputs)
            {
                FleetTarget t = input.Target;
                var options = new AppRunOptions
                {
                    Command = MyInvocation.MyCommand.Name,
                    WhatIf = whatIf && !planOnly,
                    PlanOnly = planOnly,
                    LockTimeout = TimeSpan.FromSeconds(LockTimeoutSeconds),
                    // A sync reads only what changed (a plan to review lists the whole app).
                    ChangeDetection = !planOnly,
                    Full = full,
                    ReconcileEvery = reconcileEvery ?? ChangeDetector.DefaultReconcileEvery,
                    FullListEvery = fullListEvery ?? ChangeDetector.DefaultFullListEvery,
                    Clock = ClockOf(input.App),
                };
                var stub = new RunCloudSyncPlan { Index = t.Index, Connection = t.Connection, BaseUri = input.BaseUri, KeyId = input.KeyId, ServerId = t.ServerId, WebAppId = t.WebAppId };
                if (input.SourceFailure != null)
                {
                    // Its source could not be read: the target fails before any request; the others go on.
                    items.Add(new FleetItem(stub) { Input = input, App = input.App, Failure = input.SourceFailure, ErrorId = input.SourceFailureErrorId });
                    continue;
                }

                items.Add(new FleetItem(stub)
                {
                    Input = input,
                    App = input.App,
                    Request = TargetPlanner.Request(input, options),
                    Host = HostFor(t.Index, stub.Target),
                });
            }

            return items;
        }

        private static Func<DateTime> ClockOf(AppTarget app)
        {
            Clock clock = app.Service.Clock;
            return () => clock.UtcNow;
        }

        /// <summary>Each manifest target's plan, from what preparing found (Failed when its live state could not be read).</summary>
        private protected static void PlansFromPrepared(IEnumerable<FleetItem> items)
        {
            foreach (FleetItem item in items) PlanFromPrepared(item);
        }

        private static void PlanFromPrepared(FleetItem item)
        {
            if (item.Prepared != null) item.Plan = TargetPlanner.ToPlan(item.Input!, item.Prepared);
            else if (item.Failure != null) item.Plan = TargetPlanner.Failed(item.Input!, item.Failure);
            item.Plan.PlanningCalls = item.PrepareCalls;
        }

        /// <summary>The host a fleet target's engine writes through: every message names the target; its steps are confirmed as a whole.</summary>
        private protected IApplyHost HostFor(int index, string target) => new CmdletApplyHost(this, _ => true, $"Target {index}, {target}: ");

        /// <summary>
        /// Confirms each prepared target on the pipeline thread, checks the -MaxCalls cap over everything that will be sent,
        /// then applies the approved targets side by side and writes one result per target and the summary. Every lock
        /// the preparing took is released at the end.
        /// </summary>
        private protected void ApplyAll(IReadOnlyList<FleetItem> items, bool verify, int throttleLimit, int maxCalls, bool force, int callsAlreadySpent)
        {
            var clock = Stopwatch.StartNew();
            bool whatIf = IsWhatIf();
            try
            {
                foreach (FleetItem item in items) ConfirmTarget(item, verify, force, whatIf);

                if (maxCalls > 0 && !verify)
                {
                    int planned = items.Where(i => i.WillApply && i.Declined == null).Sum(i => i.Plan.CallsToApply(verify: false));
                    RefuseOverCap(planned, callsAlreadySpent, maxCalls);
                }

                List<FleetItem> approved = items.Where(i => i.WillApply && i.Declined == null).ToList();
                if (approved.Count > 0 && !whatIf)
                {
                    Run(ct => FleetEngine.ForEachAsync(approved, throttleLimit, async (item, token) =>
                    {
                        var watch = Stopwatch.StartNew();
                        item.Outcome = await AppSyncEngine.ApplyAsync(item.Prepared!, item.Host!, token).ConfigureAwait(false);
                        item.ApplyTime = watch.Elapsed;
                        return item;
                    }, ct, i => i.Plan.Connection), pumpAlways: true);
                }
            }
            finally
            {
                foreach (FleetItem item in items) item.Prepared?.Dispose();
            }

            WriteResults(items, verify, throttleLimit, clock.Elapsed, whatIf, callsAlreadySpent);
        }

        /// <summary>
        /// Pipeline thread: takes over what preparing reported, and confirms a prepared target as a whole (ShouldProcess
        /// with what it will send); true when it is approved to apply.
        /// </summary>
        private bool ConfirmTarget(FleetItem item, bool verify, bool force, bool whatIf)
        {
            RunCloudSyncPlan plan = item.Plan;
            if (item.Prepared != null && item.Prepared.Refusal == null)
            {
                foreach (AppFailure problem in item.Prepared.Problems) item.Problems.Add(problem);
            }

            if (!item.WillApply) return false;
            string action = $"Apply the sync plan: add {plan.Add.Length}, remove {plan.Remove.Length}" + SslWords(plan.SslAction)
                + (plan.Owed != null ? $" (finishing what a previous run left owed: {plan.Owed})" : string.Empty) + $" ({plan.CallsToApply(verify)} API calls)";
            if (!ShouldProcessOrForce(force, plan.Target, action))
            {
                item.Declined = whatIf ? "WhatIf" : "Declined";
                return false;
            }

            AppSyncEngine.ApproveAll(item.Prepared!);
            return true;
        }

        /// <summary>
        /// A manifest run with nothing to decide over all targets at once (no -MaxCalls cap, not -WhatIf): every target's
        /// lock is taken before any request of any target (one another run holds is Refused, the others go on); then each
        /// target is prepared, handed to the pipeline thread to confirm (ShouldProcess, in the order plans become ready),
        /// and applied as soon as it is confirmed, while the other targets are still being prepared or confirmed. Within a
        /// target nothing changes: no write before its whole plan is made and confirmed, the journal first. Results are
        /// written at the end in the manifest's order, then the summary and the errors, as <see cref="ApplyAll"/> does.
        /// </summary>
        private protected void PrepareConfirmApply(IReadOnlyList<FleetItem> items, int throttleLimit, bool force)
        {
            var clock = Stopwatch.StartNew();
            List<FleetItem> work = items.Where(i => i.Request != null && i.Refusal == null).ToList();
            WriteVerbose($"RunCloud: locking {work.Count} target(s), then preparing and applying each as soon as its plan is confirmed, up to {throttleLimit} at once.");
            Exception? confirmFailed = null;
            try
            {
                if (work.Count > 0)
                {
                    Run(async ct =>
                    {
                        // Every lock first, side by side: a target another run holds is refused before anything is sent for any target.
                        await Task.WhenAll(work.Select(item => Task.Run(() => LockUpFront(item, ct), ct))).ConfigureAwait(false);
                        List<FleetItem> locked = work.Where(i => i.Refusal == null).ToList();
                        await FleetEngine.ForEachAsync(locked, throttleLimit, async (item, token) =>
                        {
                            await PrepareOneAsync(item, token).ConfigureAwait(false);
                            PlanFromPrepared(item);
                            bool approved;
                            try
                            {
                                approved = await OnPipelineThread(() => Volatile.Read(ref confirmFailed) == null && ConfirmTarget(item, verify: false, force, whatIf: false), token).ConfigureAwait(false);
                            }
                            catch (Exception ex) when (!(ex is OperationCanceledException))
                            {
                                // A prompt that cannot be shown (ConfirmationRequired): no target is confirmed after it; it stops the command below.
                                Interlocked.CompareExchange(ref confirmFailed, ex, null);
                                return item;
                            }

                            if (!approved) return item;
                            var watch = Stopwatch.StartNew();
                            item.Outcome = await AppSyncEngine.ApplyAsync(item.Prepared!, item.Host!, token).ConfigureAwait(false);
                            item.ApplyTime = watch.Elapsed;
                            return item;
                        }, ct, i => i.Plan.Connection).ConfigureAwait(false);
                        return true;
                    }, pumpAlways: true);
                }
            }
            finally
            {
                foreach (FleetItem item in items)
                {
                    item.Prepared?.Dispose();
                    if (item.Prepared == null) item.HeldLock?.Dispose();
                }
            }

            if (confirmFailed != null) ExceptionDispatchInfo.Capture(confirmFailed).Throw();
            foreach (FleetItem item in items.Where(i => i.Prepared == null)) PlanFromPrepared(item);
            WriteResults(items, verify: false, throttleLimit, clock.Elapsed, whatIf: false, callsAlreadySpent: items.Sum(i => i.PrepareCalls));
        }

        /// <summary>Takes a target's lock before any request; one another run holds refuses that target (the others go on).</summary>
        private static void LockUpFront(FleetItem item, CancellationToken ct)
        {
            try
            {
                item.HeldLock = AppSyncEngine.Lock(item.App!, item.Request!.Options, ct);
            }
            catch (StateException ex)
            {
                item.Refusal = $"{item.Plan.Target}: {ex.Message} Nothing was changed on it.";
                item.ErrorId = ex.ErrorId;
            }
        }

        /// <summary>Writes one result per target in the items' order, the summary, then each target's errors.</summary>
        private void WriteResults(IReadOnlyList<FleetItem> items, bool verify, int throttleLimit, TimeSpan elapsed, bool whatIf, int callsAlreadySpent)
        {
            List<RunCloudFleetResult> results = items.Select(i => Result(i, verify)).ToList();
            foreach (RunCloudFleetResult r in results) WriteObject(r);
            WriteObject(Summarize(results, items.Select(i => i.Plan).ToList(), throttleLimit, elapsed, whatIf, callsAlreadySpent));
            foreach (FleetItem item in items)
            {
                foreach (AppFailure problem in item.Problems) WriteError(ErrorRecords.FromFailure(problem));
            }

            foreach (RunCloudFleetResult r in results.Where(r => r.Status == "Refused" || r.Status == "Blocked" || r.Status == "Failed"))
            {
                string id = r.Status == "Refused" ? ErrorIds.FleetTargetRefused : r.Status == "Blocked" ? ErrorIds.FleetTargetBlocked : ErrorIds.FleetTargetFailed;
                WriteError(ErrorRecords.Failed(id, $"Target {r.Index}: {r.Message}", r.Status == "Failed" ? ErrorCategory.NotSpecified : ErrorCategory.InvalidOperation, r));
            }
        }

        /// <summary>-MaxCalls: the whole run is refused before any change when what it will send passes the cap.</summary>
        private protected void RefuseOverCap(int planned, int callsAlreadySpent, int maxCalls)
        {
            if (maxCalls <= 0 || planned + callsAlreadySpent <= maxCalls) return;
            string spent = callsAlreadySpent > 0 ? $" (plus the {callsAlreadySpent} the planning already sent)" : string.Empty;
            string message = $"The plan needs {planned} API calls{spent}, more than -MaxCalls {maxCalls}. Nothing was changed. Split the manifest, or raise -MaxCalls to {planned + callsAlreadySpent}.";
            ThrowTerminatingError(ErrorRecords.Failed(ErrorIds.TooManyCalls, message, ErrorCategory.LimitsExceeded, maxCalls, $"-MaxCalls {planned + callsAlreadySpent}"));
        }

        /// <summary>One target's result: only what was observed (a 404'd removal is AlreadyGone, SslRedeployed only after a redeploy that succeeded).</summary>
        private RunCloudFleetResult Result(FleetItem item, bool verify)
        {
            RunCloudSyncPlan plan = item.Plan;
            string app = plan.Target;
            var r = new RunCloudFleetResult
            {
                Index = plan.Index,
                Connection = plan.Connection,
                ServerId = plan.ServerId,
                WebAppId = plan.WebAppId,
                PlannedCalls = plan.CallsToApply(verify),
                ApiCalls = (verify ? item.PrepareCalls : 0) + (item.Outcome?.ApplyingCalls ?? 0),
                Duration = item.ApplyTime,
                Way = item.Prepared?.Decision?.Way.ToString(),
            };
            PreparedApply? p = item.Prepared;
            AppOutcome? o = item.Outcome;
            if (item.Refusal != null)
            {
                r.Status = "Refused";
                r.Message = Clean(item.Refusal);
                r.ErrorId = item.ErrorId ?? ErrorIds.FleetTargetRefused;
            }
            else if (item.Failure != null || plan.Verdict == "Failed")
            {
                r.Status = "Failed";
                r.Message = Clean(item.Failure ?? plan.Error ?? "Reading the live state failed.");
                r.ErrorId = item.ErrorId ?? ErrorIds.FleetTargetFailed;
            }
            else if (p?.Refusal != null)
            {
                r.Status = p.Refusal.Kind == AppRefusal.PlanKind ? "Refused" : "Blocked";
                r.Message = Clean(p.Refusal.Message) + (p.Refusal.Kind == AppRefusal.PlanKind ? string.Empty : " Nothing was changed on it.");
                r.ErrorId = p.Refusal.ErrorId;
            }
            else if (plan.IsBlocked)
            {
                r.Status = "Blocked";
                r.Message = Clean(plan.Error ?? string.Join(" ", plan.GuardMessages("Block")) + " Nothing was changed on it.");
                r.ErrorId = ErrorIds.FleetTargetBlocked;
            }
            else if (!item.WillApply)
            {
                r.Status = "NoChange";
                r.Message = p?.Decision?.Way == ReadWay.Unchanged ? $"{app}: {p.Decision.Reason} (no call sent)." : $"{app} already has the desired domains.";
            }
            else if (item.Declined != null)
            {
                r.Status = item.Declined;
                r.Added = item.Declined == "WhatIf" ? plan.Add : Array.Empty<string>();
                r.Removed = item.Declined == "WhatIf" ? plan.Remove.Select(d => d.Name).ToArray() : Array.Empty<string>();
                r.Message = item.Declined == "WhatIf" ? "-WhatIf: nothing was sent." : "Not confirmed; nothing was sent.";
                r.PlannedCalls = plan.CallsToApply(verify);
            }
            else if (o != null)
            {
                RunCloudSyncFailure[] failed = o.Failures.Select(f => new RunCloudSyncFailure(f.Failure.Name, f.Failure.Action, f.ErrorId, Clean(f.Message))).ToArray();
                r.Added = o.Added.ToArray();
                r.Removed = o.Removed.ToArray();
                r.AlreadyGone = o.AlreadyGone.ToArray();
                r.Failed = failed;
                r.SslRedeployed = o.SslRedeployed;
                r.Status = failed.Length > 0 ? "Failed" : "Applied";
                if (failed.Length > 0) r.ErrorId = ErrorIds.SyncFailed;
                string finished = o.FinishedPending.Count > 0 ? "; finished " + string.Join("; ", o.FinishedPending) : string.Empty;
                r.Message = failed.Length > 0
                    ? $"{failed.Length} change(s) failed on {app}: " + string.Join("; ", failed.Take(3).Select(f => $"{f.Action} {f.Name}: {f.Message.TrimEnd('.')}")) + ". The other changes were made."
                        + (o.StillPending != null ? " The SSL redeploy stays owed in the journal: the next Sync-RunCloudDomain or Reset-RunCloudSsl on this web app finishes it." : string.Empty)
                    : $"{app}: {o.Added.Count} added, {o.Removed.Count} removed{(o.AlreadyGone.Count > 0 ? $", {o.AlreadyGone.Count} already gone" : string.Empty)}{(o.SslRedeployed ? ", SSL redeployed" : string.Empty)}{finished}.";
            }

            return r;
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
