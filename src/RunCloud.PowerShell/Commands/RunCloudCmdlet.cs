using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using RunCloud.PowerShell.Http;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// Base of every cmdlet in the module. It owns the cancellation of the current invocation
    /// (<see cref="StopProcessing"/> cancels the request in flight and any back-off wait) and runs
    /// asynchronous work while pumping the verbose, debug, warning and progress messages that the HTTP
    /// handlers produce on other threads back onto the pipeline thread, the only thread that may call Write*.
    /// </summary>
    public abstract class RunCloudCmdlet : PSCmdlet, IDisposable
    {
        private readonly CancellationTokenSource _stopping = new CancellationTokenSource();
        private PipelineLog? _activeLog;
        private CmdletLog? _log;
        private readonly RateLimitWaitNotice _waits = new RateLimitWaitNotice();
        private bool _disposed;

        private Session.RunCloudConnection? _secretsOf;
        private string[]? _secrets;

        /// <summary>
        /// From now on every string this cmdlet writes (verbose, debug, warning, progress, error, terminating error and the
        /// API exceptions that reach it) is filtered for <paramref name="connection"/>'s secret values: token, API secret,
        /// the Basic header value, proxy password. Called by the connection step of every cmdlet that talks to RunCloud.
        /// </summary>
        private protected void RedactSecretsOf(Session.RunCloudConnection connection)
        {
            if (ReferenceEquals(connection, _secretsOf)) return;
            _secretsOf = connection;
            _secrets = null;
        }

        private string[] Secrets => _secrets ??= _secretsOf?.SecretsForRedaction() ?? Array.Empty<string>();

        /// <summary>Secrets masked, control characters escaped.</summary>
        internal string Clean(string? text) => Redactor.Clean(text, Secrets);

        // PowerShell drops a verbose or debug record its preference does not let through (redirection included): such a
        // message is not cleaned, which spares a run without -Verbose the secrets' variants (Redactor.Variants).
        public new void WriteVerbose(string text)
        {
            if (IsPreferenceOn("Verbose", "VerbosePreference")) base.WriteVerbose(Clean(text));
        }

        public new void WriteDebug(string text)
        {
            if (IsPreferenceOn("Debug", "DebugPreference")) base.WriteDebug(Clean(text));
        }

        public new void WriteWarning(string text) => base.WriteWarning(Clean(text));

        public new void WriteProgress(ProgressRecord progressRecord)
        {
            progressRecord.Activity = Clean(progressRecord.Activity);
            progressRecord.StatusDescription = Clean(progressRecord.StatusDescription);
            if (progressRecord.CurrentOperation != null) progressRecord.CurrentOperation = Clean(progressRecord.CurrentOperation);
            base.WriteProgress(progressRecord);
        }

        public new void WriteError(ErrorRecord errorRecord) => base.WriteError(CleanRecord(errorRecord));

        public new void ThrowTerminatingError(ErrorRecord errorRecord) => base.ThrowTerminatingError(CleanRecord(errorRecord));

        /// <summary>The record itself when it holds nothing to clean; otherwise a copy with the same ErrorId, category and target.</summary>
        internal ErrorRecord CleanRecord(ErrorRecord record)
        {
            string[] secrets = Secrets;
            Exception ex = record.Exception;
            bool dirtyDetails = Redactor.NeedsCleaning(record.ErrorDetails?.Message, secrets)
                || Redactor.NeedsCleaning(record.ErrorDetails?.RecommendedAction, secrets);
            Exception clean = ex is RunCloudApiException api ? api.Redact(secrets)
                : Redactor.NeedsCleaning(ex.Message, secrets) || (ex.InnerException != null && Redactor.NeedsCleaning(ex.InnerException.Message, secrets))
                    ? new InvalidOperationException(Clean(ex.Message))
                    : ex;
            if (ReferenceEquals(clean, ex) && !dirtyDetails) return record;
            return ErrorRecords.Copy(record, clean, Clean);
        }

        /// <summary>The sink this cmdlet hands to the Api layer: lines go to the pipeline log of the Run in progress.</summary>
        internal IRunCloudLog Log => _log ??= new CmdletLog(this);

        private System.Collections.Generic.HashSet<string>? _commandLine;

        /// <summary>Remembers which parameters the command line gave, before any pipeline input binds others by property name.</summary>
        protected override void BeginProcessing() =>
            _commandLine = new System.Collections.Generic.HashSet<string>(MyInvocation.BoundParameters.Keys, StringComparer.OrdinalIgnoreCase);

        /// <summary>True when <paramref name="parameter"/> was given on the command line (not bound from a piped object's property).</summary>
        private protected bool OnCommandLine(string parameter) => _commandLine?.Contains(parameter) ?? MyInvocation.BoundParameters.ContainsKey(parameter);

        /// <summary>
        /// A sync plan carries the ids of an app, but not its connection: bound by property name it would act on the
        /// default connection's same-numbered app. Only Invoke-RunCloudSyncPlan takes plans.
        /// </summary>
        private protected void RefusePlan(Models.RunCloudSyncPlan? plan)
        {
            if (plan == null) return;
            ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput,
                $"A sync plan ({plan.Target}) was piped to {MyInvocation.MyCommand.Name}, which does not apply plans. Pipe plans to Invoke-RunCloudSyncPlan. Nothing was sent.", plan));
        }

        /// <summary>What a piped object is, for messages: "server 1001 (web1)", "web app 2001 (shop)", "domain x (id 5)".</summary>
        internal static string Describe(Models.IRunCloudObject o) => o switch
        {
            Models.RunCloudServer s => $"server {s.Id} ({s.Name})",
            Models.RunCloudWebApp w => $"web app {w.Id} ({w.Name}, server {w.ServerId})",
            Models.RunCloudDomain d => $"domain {d.Name} (id {d.Id}, web app {d.WebAppId})",
            Models.RunCloudSsl c => $"the certificate of web app {c.WebAppId}",
            _ => o.ToString() ?? "an object",
        };

        /// <summary>
        /// The refusal of a piped server, web app or certificate where the cmdlet needs names: its own Name (an app's, a
        /// server's) would bind to -Name by property name and be taken for a domain.
        /// </summary>
        private protected string? NeedsNames(Models.IRunCloudObject piped) =>
            piped is Models.RunCloudDomain || OnCommandLine("Name") ? null
                : $"{Describe(piped)} was piped to {MyInvocation.MyCommand.Name} without -Name: it says which web app, not which names (its own name is not a domain). Pass -Name with the domain names.";

        /// <summary>Cancelled when the user presses Ctrl+C or the pipeline is stopped.</summary>
        protected CancellationToken CancelToken => _stopping.Token;

        protected override void StopProcessing() => _stopping.Cancel();

        /// <summary>
        /// Runs <paramref name="work"/> on the thread pool and blocks the pipeline thread until it ends, writing
        /// every message the work logs as it arrives. A cancellation caused by Ctrl+C surfaces as
        /// <see cref="PipelineStoppedException"/>, which PowerShell expects from a stopped cmdlet.
        /// </summary>
        internal T Run<T>(Func<CancellationToken, Task<T>> work) => Run(work, pumpAlways: false);

        /// <param name="work">The work, on the thread pool.</param>
        /// <param name="pumpAlways">
        /// The work also writes warnings and progress (the apply engine's host): messages are pumped even when verbose
        /// and debug are off.
        /// </param>
        internal T Run<T>(Func<CancellationToken, Task<T>> work, bool pumpAlways)
        {
            bool verbose = IsPreferenceOn("Verbose", "VerbosePreference");
            bool debug = IsPreferenceOn("Debug", "DebugPreference");
            _pipelineThread = Environment.CurrentManagedThreadId;

            // Handlers only ever write verbose and debug lines: with both off there is nothing to pump, and the
            // pipeline thread simply waits for the work (the common, unattended case pays no more than a raw call).
            using PipelineLog? log = verbose || debug || pumpAlways ? new PipelineLog(verbose, debug) : null;
            var token = CancelToken;
            Task<T> task;
            IRunCloudLog? previousLog = RunCloudLog.Current;
            SynchronizationContext? previousContext = SynchronizationContext.Current;
            try
            {
                // Started inline (no thread-pool hop); with no SynchronizationContext, every continuation runs on the
                // thread pool, so the pipeline thread blocking below can never deadlock the work, whatever the host.
                SynchronizationContext.SetSynchronizationContext(null);
                // Captured by the work's execution context, so handlers see it; without -Verbose/-Debug the handlers see
                // only the wait notice, which takes the rate limiter's waits for the progress bar and no lines.
                RunCloudLog.Current = (IRunCloudLog?)log ?? _waits;
                _activeLog = log;
                task = work(token);
            }
            finally
            {
                RunCloudLog.Current = previousLog;
                SynchronizationContext.SetSynchronizationContext(previousContext);
            }

            if (log != null)
            {
                if (!task.IsCompleted)
                {
                    task.ContinueWith((_, state) => ((PipelineLog)state!).Signal(), log, CancellationToken.None,
                        TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }

                try
                {
                    log.Pump(() => task.IsCompleted, Emit, token, ShowRateLimitWait);
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    _activeLog = null;
                    throw new PipelineStoppedException();
                }
            }
            else if (!task.IsCompleted)
            {
                // Wait for the work or for Ctrl+C, whichever comes first: a stop never waits on work that is slow to notice.
                // A slow call looks in on the rate limiter's waits between slices, for the progress bar's countdown.
                try
                {
                    while (!task.Wait((int)PipelineLog.TickInterval.TotalMilliseconds, token)) ShowRateLimitWait();
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    _activeLog = null;
                    throw new PipelineStoppedException();
                }
                catch (AggregateException)
                {
                    // the work failed: GetResult below rethrows its own exception
                }
            }

            try
            {
                T result = task.GetAwaiter().GetResult();
                // Work that ended as the user stopped is not reported as a success.
                if (token.IsCancellationRequested) throw new PipelineStoppedException();
                return result;
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
            catch (Models.InvalidResponseDataException ex)
            {
                throw RunCloudApiException.InvalidData(ex, null, null).Redact(Secrets);
            }
            catch (RunCloudApiException ex)
            {
                // An answer may echo a secret (RunCloud's message, a proxy's error): the exception a caller sees,
                // catches or logs (the sync log, $Error) is already masked.
                RunCloudApiException clean = ex.Redact(Secrets);
                if (ReferenceEquals(clean, ex)) throw;
                throw clean;
            }
            finally
            {
                _activeLog = null; // disposed with this Run: later lines of a stray task are dropped, not queued
                if (!token.IsCancellationRequested && _waits.End() is ProgressRecord done) WriteProgress(done);
            }
        }

        /// <summary>Pipeline thread: brings the rate limit's progress bar up to date; true while a wait runs.</summary>
        private bool ShowRateLimitWait()
        {
            ProgressRecord? record = _waits.Next(out bool waiting);
            if (record != null) WriteProgress(record);
            return waiting;
        }

        internal void Run(Func<CancellationToken, Task> work) =>
            Run<bool>(async ct => { await work(ct).ConfigureAwait(false); return true; });

        private sealed class CmdletLog : IRunCloudLog
        {
            private readonly RunCloudCmdlet _owner;

            public CmdletLog(RunCloudCmdlet owner) => _owner = owner;

            public bool VerboseEnabled => _owner._activeLog?.VerboseEnabled ?? false;

            public bool DebugEnabled => _owner._activeLog?.DebugEnabled ?? false;

            public void Verbose(string text) => _owner._activeLog?.Verbose(text);

            public void Debug(string text) => _owner._activeLog?.Debug(text);

            public void RateLimitWait(TimeSpan wait, string reason)
            {
                if (_owner._activeLog != null) _owner._activeLog.RateLimitWait(wait, reason);
                else _owner._waits.RateLimitWait(wait, reason);
            }
        }

        private void Emit(PipelineMessage message)
        {
            switch (message.Kind)
            {
                case PipelineMessageKind.Verbose: WriteVerbose(message.Text); break;
                case PipelineMessageKind.Debug: WriteDebug(message.Text); break;
                case PipelineMessageKind.Warning: WriteWarning(message.Text); break;
                case PipelineMessageKind.Progress: WriteProgress(message.Progress!); break;
                case PipelineMessageKind.RateLimitWait:
                    _waits.RateLimitWait(message.Wait, message.Text);
                    if (_activeLog?.VerboseEnabled == true) WriteVerbose(RateLimitWaitNotice.Describe(message.Wait, message.Text));
                    ShowRateLimitWait();
                    break;
                case PipelineMessageKind.Invoke: message.Work!(); break;
            }
        }

        /// <summary>
        /// From the work of a <see cref="Run{T}(Func{CancellationToken, Task{T}}, bool)"/> with <c>pumpAlways</c>: runs
        /// <paramref name="func"/> on the pipeline thread (in order with the messages queued before it) and completes with
        /// its answer, so that work on other threads can ask ShouldProcess. Its exception ends the returned task; a stop
        /// (<paramref name="ct"/>) cancels it, even when the pipeline thread has stopped pumping.
        /// </summary>
        internal Task<T> OnPipelineThread<T>(Func<T> func, CancellationToken ct)
        {
            PipelineLog log = _activeLog ?? throw new InvalidOperationException("Work for the pipeline thread needs a Run that pumps (pumpAlways).");
            var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
            CancellationTokenRegistration stop = ct.Register(() => done.TrySetCanceled());
            log.Invoke(() =>
            {
                try
                {
                    if (!ct.IsCancellationRequested) done.TrySetResult(func());
                }
                catch (Exception ex)
                {
                    done.TrySetException(ex);
                }
                finally
                {
                    stop.Dispose();
                }
            });
            return done.Task;
        }

        private int _pipelineThread = Environment.CurrentManagedThreadId;

        /// <summary>
        /// Writes <paramref name="message"/> from any thread: queued for the pipeline thread while a <see cref="Run{T}(Func{CancellationToken, Task{T}}, bool)"/>
        /// pumps, written at once on the pipeline thread otherwise, dropped from a stray thread after the work ended.
        /// </summary>
        internal void Queue(PipelineMessage message)
        {
            PipelineLog? log = _activeLog;
            if (log != null)
            {
                switch (message.Kind)
                {
                    case PipelineMessageKind.Verbose: log.Verbose(message.Text); break;
                    case PipelineMessageKind.Debug: log.Debug(message.Text); break;
                    case PipelineMessageKind.Warning: log.Warning(message.Text); break;
                    case PipelineMessageKind.Progress: log.Progress(message.Progress!); break;
                    case PipelineMessageKind.RateLimitWait: log.RateLimitWait(message.Wait, message.Text); break;
                }
            }
            else if (Environment.CurrentManagedThreadId == _pipelineThread)
            {
                Emit(message);
            }
        }

        /// <summary>True under -WhatIf or $WhatIfPreference.</summary>
        private protected bool IsWhatIf() => WhatIfPreference.IsOn(this);

        /// <summary>-Force skips the confirmation prompt but never -WhatIf, and an explicit -Confirm still asks.</summary>
        private protected bool ShouldProcessOrForce(bool force, string target, string action)
        {
            bool confirmAsked = MyInvocation.BoundParameters.TryGetValue("Confirm", out object? c) && c is SwitchParameter sp && sp.IsPresent;
            if (force && !confirmAsked && !IsWhatIf()) return true;
            return Ask(target, action);
        }

        /// <summary>
        /// ShouldProcess, except that a prompt PowerShell cannot show (pwsh -NonInteractive, a scheduled task) stops the
        /// command with what to pass instead of PowerShell's bare "NonInteractive mode" error.
        /// </summary>
        private protected bool Ask(string target, string action)
        {
            try
            {
                return ShouldProcess(target, action);
            }
            catch (Exception ex) when (ex is PSInvalidOperationException || ex is System.Management.Automation.Host.HostException)
            {
                ThrowTerminatingError(ErrorRecords.ConfirmationRequired(MyInvocation.MyCommand.Name, target, action, ex));
                return false;
            }
        }

        private bool IsPreferenceOn(string switchName, string preferenceVariable)
        {
            if (MyInvocation.BoundParameters.TryGetValue(switchName, out object? value))
            {
                return value is SwitchParameter sp ? sp.IsPresent : value is bool b && b;
            }

            object? pref = SessionState?.PSVariable.GetValue(preferenceVariable);
            return pref is ActionPreference ap
                ? ap != ActionPreference.SilentlyContinue && ap != ActionPreference.Ignore
                : pref is string s && !string.IsNullOrEmpty(s)
                    && !s.Equals("SilentlyContinue", StringComparison.OrdinalIgnoreCase)
                    && !s.Equals("Ignore", StringComparison.OrdinalIgnoreCase);
        }

        /// <summary>Releases what a command holds beyond one record (e.g. per-app locks); PowerShell calls Dispose even when the pipeline is stopped.</summary>
        private protected virtual void ReleaseResources()
        {
        }

        /// <summary>
        /// True for the commands that sync (their calls are written to the usage ledger as they end, so the next run, in any
        /// process, counts them); other commands' counts are written at most a second later, or when the process exits.
        /// </summary>
        private protected virtual bool WritesUsageAtEnd => false;

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            if (WritesUsageAtEnd) Session.AccountUsageMeters.FlushAll();
            else Session.AccountUsageMeters.FlushDue();
            ReleaseResources();
            _stopping.Dispose();
            GC.SuppressFinalize(this);
        }
    }
}
