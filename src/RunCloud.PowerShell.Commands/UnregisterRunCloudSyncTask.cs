using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;
using System.Linq;
using System.Management.Automation;
using RunCloud.PowerShell.Commands.Scheduling;
using RunCloud.PowerShell.Http;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// Removes a sync task Register-RunCloudSyncTask installed: disables and deletes the systemd timer and service, removes
    /// the crontab entry (only the lines it marked), or unregisters the Task Scheduler task. Its log and state stay. A task
    /// that is not there is a non-terminating RunCloudSyncTaskNotFound error.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Unregister, "RunCloudSyncTask", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium,
        HelpUri = HelpUris.Base + "Unregister-RunCloudSyncTask.md")]
    [OutputType(typeof(void))]
    public sealed class UnregisterRunCloudSyncTaskCommand : RunCloudCmdlet
    {
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Name")]
        [ValidateNotNullOrEmpty]
        public string TaskName { get; set; } = RegisterRunCloudSyncTaskCommand.DefaultTaskName;

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateSet("TaskScheduler", "Systemd", "Cron", IgnoreCase = true)]
        public string? Scheduler { get; set; }

        /// <summary>Cron: whose crontab (crontab -u).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? User { get; set; }

        /// <summary>Systemd: where the unit files are (default /etc/systemd/system as root, ~/.config/systemd/user otherwise).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? UnitDirectory { get; set; }

        /// <summary>
        /// A module object piped by mistake (a server, web app, domain or certificate): refused, since its Name would bind
        /// to -TaskName and be taken for a sync task's.
        /// </summary>
        [Parameter(ValueFromPipeline = true, DontShow = true)]
        public Models.IRunCloudObject? PipelineObject { get; set; }

        protected override void ProcessRecord()
        {
            if (PipelineObject != null)
            {
                ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput,
                    $"{Describe(PipelineObject)} was piped to Unregister-RunCloudSyncTask, which takes sync tasks (what Register-RunCloudSyncTask returns): "
                    + "its own name is not a task's. Pass -TaskName. Nothing was changed.", PipelineObject));
            }

            if (!RegisterRunCloudSyncTaskCommand.TaskNameRule.IsMatch(TaskName))
            {
                ThrowTerminatingError(ErrorRecords.Create(new ArgumentException("bad name"), ErrorIds.InvalidSyncTask, ErrorCategory.InvalidArgument, TaskName,
                    $"-TaskName '{TaskName}' is not a sync task name (letters, digits, '-', '_', '.')."));
            }

            string scheduler = Scheduler == null
                ? PwshLocator.DefaultScheduler(InvokeCommand.GetCommand("systemctl", CommandTypes.Application | CommandTypes.Function) != null)
                : Scheduler.Equals("systemd", StringComparison.OrdinalIgnoreCase) ? "Systemd" : Scheduler.Equals("cron", StringComparison.OrdinalIgnoreCase) ? "Cron" : "TaskScheduler";
            switch (scheduler)
            {
                case "Systemd":
                    RemoveSystemd();
                    break;
                case "Cron":
                    RemoveCron();
                    break;
                default:
                    RemoveTask();
                    break;
            }
        }

        private void RemoveSystemd()
        {
            bool userUnits = UnitDirectory == null && !string.Equals(Environment.UserName, "root", StringComparison.Ordinal);
            string folder = UnitDirectory != null ? SessionState.Path.GetUnresolvedProviderPathFromPSPath(UnitDirectory)
                : userUnits ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config", "systemd", "user")
                : "/etc/systemd/system";
            string service = Path.Combine(folder, TaskName + ".service");
            string timer = Path.Combine(folder, TaskName + ".timer");
            if (!File.Exists(service) && !File.Exists(timer))
            {
                NotFound($"No systemd unit {TaskName}.timer or .service in {folder}.");
                return;
            }

            if (!ShouldProcess($"{timer} and {service}", "Disable the timer and delete the units")) return;
            string[] scope = userUnits ? new[] { "--user" } : Array.Empty<string>();
            Tool("systemctl", scope.Concat(new[] { "disable", "--now", TaskName + ".timer" }).ToArray(), null, allowFailure: true);
            File.Delete(timer);
            File.Delete(service);
            Tool("systemctl", scope.Concat(new[] { "daemon-reload" }).ToArray(), null);
        }

        private void RemoveCron()
        {
            string[] user = User != null ? new[] { "-u", User } : Array.Empty<string>();
            (int code, string[] current) = Tool("crontab", user.Concat(new[] { "-l" }).ToArray(), null, allowFailure: true);
            int removed = 0;
            List<string> kept = code == 0 ? CronEntry.Without(current, TaskName, out removed) : new List<string>();
            if (code != 0 || removed == 0)
            {
                NotFound($"The crontab{(User != null ? " of " + User : string.Empty)} has no sync task '{TaskName}'.");
                return;
            }

            if (!ShouldProcess($"the crontab{(User != null ? " of " + User : string.Empty)}", $"Remove the sync task '{TaskName}'")) return;
            Tool("crontab", user.Concat(new[] { "-" }).ToArray(), kept.Count == 0 ? string.Empty : string.Join("\n", kept) + "\n");
        }

        private void RemoveTask()
        {
            if (InvokeCommand.GetCommand("Unregister-ScheduledTask", CommandTypes.Cmdlet | CommandTypes.Function | CommandTypes.Alias) == null)
            {
                ThrowTerminatingError(ErrorRecords.Create(new InvalidOperationException("no Task Scheduler"), ErrorIds.SyncTaskInstallFailed, ErrorCategory.NotInstalled, TaskName,
                    "Unregister-ScheduledTask is not available here (Task Scheduler is Windows'). Pass -Scheduler Systemd or Cron for a task registered with those."));
            }

            Collection<PSObject> existing = InvokeCommand.InvokeScript(false, ScriptBlock.Create("param($n) Get-ScheduledTask -TaskName $n -ErrorAction Ignore"), null, TaskName);
            if (existing.Count == 0)
            {
                NotFound($"Task Scheduler has no task named {TaskName}.");
                return;
            }

            if (!ShouldProcess($"Task Scheduler task {TaskName}", "Unregister the sync task")) return;
            try
            {
                InvokeCommand.InvokeScript(false, ScriptBlock.Create("param($n) Unregister-ScheduledTask -TaskName $n -Confirm:$false -ErrorAction Stop"), null, TaskName);
            }
            catch (RuntimeException ex)
            {
                ThrowTerminatingError(ErrorRecords.Create(ex, ErrorIds.SyncTaskInstallFailed, ErrorCategory.InvalidOperation, TaskName, $"Unregister-ScheduledTask failed: {ex.Message}"));
            }
        }

        private void NotFound(string message) =>
            WriteError(ErrorRecords.Create(new ItemNotFoundException(message), ErrorIds.SyncTaskNotFound, ErrorCategory.ObjectNotFound, TaskName, message));

        private (int Code, string[] Output) Tool(string name, string[] arguments, string? input, bool allowFailure = false)
        {
            (int Code, string[] Output) reply;
            try
            {
                reply = SchedulerTool.Run(this, name, arguments, input);
            }
            catch (RuntimeException ex)
            {
                ThrowTerminatingError(ErrorRecords.Create(ex, ErrorIds.SyncTaskInstallFailed, ErrorCategory.InvalidOperation, TaskName, $"{name} could not run: {ex.Message}"));
                throw;
            }

            if (reply.Code != 0 && !allowFailure)
            {
                string message = $"{name} {string.Join(" ", arguments)} failed (exit code {reply.Code}): {string.Join(" ", reply.Output)}";
                ThrowTerminatingError(ErrorRecords.Create(new InvalidOperationException(message), ErrorIds.SyncTaskInstallFailed, ErrorCategory.InvalidOperation, TaskName, message));
            }

            return reply;
        }
    }
}
