using System;
using System.Collections.Concurrent;
using System.Threading;

namespace RunCloud.PowerShell.Commands
{
    internal readonly struct PipelineMessage
    {
        public PipelineMessage(PipelineMessageKind kind, string text) : this(kind, text, TimeSpan.Zero) { }

        public PipelineMessage(PipelineMessageKind kind, string text, TimeSpan wait) { Kind = kind; Text = text; Wait = wait; }

        public PipelineMessageKind Kind { get; }
        public string Text { get; }

        /// <summary>For <see cref="PipelineMessageKind.RateLimitWait"/>: how long the limiter waits.</summary>
        public TimeSpan Wait { get; }
    }
}
