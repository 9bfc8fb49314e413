using System;
using System.Collections.Concurrent;
using System.Threading;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>What a queued message is: a verbose or debug line, or a rate-limit wait (a verbose line and the progress bar).</summary>
    internal enum PipelineMessageKind { Verbose, Debug, RateLimitWait }
}
