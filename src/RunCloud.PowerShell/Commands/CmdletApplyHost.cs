using System;
using System.Management.Automation;
using RunCloud.PowerShell.Sync;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// The apply engine's view of a cmdlet: <see cref="Confirm"/> is the cmdlet's ShouldProcess (the engine calls it on the
    /// pipeline thread only); the messages come from whatever thread the engine runs on and are queued for the pipeline
    /// thread (<see cref="RunCloudCmdlet.Queue"/>), each prefixed with the target when several run side by side.
    /// </summary>
    internal sealed class CmdletApplyHost : IApplyHost
    {
        private readonly RunCloudCmdlet _cmdlet;
        private readonly Func<ApplyStep, bool> _confirm;
        private readonly string _prefix;
        private readonly ProgressRecord? _progress;

        /// <param name="cmdlet">The cmdlet writing the messages.</param>
        /// <param name="confirm">ShouldProcess for one step (on the pipeline thread).</param>
        /// <param name="prefix">Put before every message (a fleet's "Target 2: ").</param>
        /// <param name="progress">The progress record the steps update; null shows none.</param>
        public CmdletApplyHost(RunCloudCmdlet cmdlet, Func<ApplyStep, bool> confirm, string prefix = "", ProgressRecord? progress = null)
        {
            _cmdlet = cmdlet;
            _confirm = confirm;
            _prefix = prefix;
            _progress = progress;
        }

        public bool Confirm(ApplyStep step) => _confirm(step);

        public void Verbose(string text) => _cmdlet.Queue(new PipelineMessage(PipelineMessageKind.Verbose, _prefix + text));

        public void Warning(string text) => _cmdlet.Queue(new PipelineMessage(PipelineMessageKind.Warning, _prefix + text));

        public void Progress(string status, int done, int total)
        {
            if (_progress == null) return;
            var record = new ProgressRecord(_progress.ActivityId, _progress.Activity, $"{status} ({done} of {total})")
            {
                PercentComplete = total == 0 ? 100 : Math.Min(100, done * 100 / total),
            };
            _cmdlet.Queue(new PipelineMessage(PipelineMessageKind.Progress, record.StatusDescription, record));
        }
    }
}
