using System;
using System.Management.Automation;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>One message from another thread, written by the pipeline thread: a text, a progress record, or a rate-limit wait.</summary>
    internal readonly struct PipelineMessage
    {
        public PipelineMessage(PipelineMessageKind kind, string text, ProgressRecord? progress = null)
        {
            Kind = kind;
            Text = text;
            Progress = progress;
            Wait = TimeSpan.Zero;
        }

        public PipelineMessage(PipelineMessageKind kind, string text, TimeSpan wait)
        {
            Kind = kind;
            Text = text;
            Progress = null;
            Wait = wait;
        }

        public PipelineMessageKind Kind { get; }

        public string Text { get; }

        /// <summary>For <see cref="PipelineMessageKind.Progress"/>: the record to write.</summary>
        public ProgressRecord? Progress { get; }

        /// <summary>For <see cref="PipelineMessageKind.RateLimitWait"/>: how long the limiter waits.</summary>
        public TimeSpan Wait { get; }
    }
}
