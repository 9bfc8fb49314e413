using System;
using System.Collections.Concurrent;
using System.Threading;

namespace RunCloud.PowerShell.Commands
{
    internal readonly struct PipelineMessage
    {
        public PipelineMessage(PipelineMessageKind kind, string text) { Kind = kind; Text = text; }
        public PipelineMessageKind Kind { get; }
        public string Text { get; }
    }
}
