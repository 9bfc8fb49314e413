using System;
using System.Collections.Generic;
using System.Management.Automation;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// Lets -Connection take a connection's name (Connect-RunCloud -Name clientA) as well as the object itself.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    internal sealed class ConnectionTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            object? value = inputData is PSObject pso ? pso.BaseObject : inputData;
            if (value is string name)
            {
                try
                {
                    return ConnectionRegistry.Resolve(name);
                }
                catch (KeyNotFoundException ex)
                {
                    throw new ArgumentTransformationMetadataException(ex.Message, ex);
                }
            }

            return inputData;
        }
    }
}
