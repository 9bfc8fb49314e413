using System;
using System.Collections.Concurrent;
using System.Threading;

namespace RunCloud.PowerShell.Commands
{
    internal enum PipelineMessageKind { Verbose, Debug }
}
