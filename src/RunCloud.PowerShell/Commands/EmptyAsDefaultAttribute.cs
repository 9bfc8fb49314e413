using System;
using System.Management.Automation;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>An empty or blank value (an empty Import-Csv cell) stands for the parameter's default.</summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class EmptyAsDefaultAttribute : ArgumentTransformationAttribute
    {
        public EmptyAsDefaultAttribute(string defaultValue) => DefaultValue = defaultValue;

        public string DefaultValue { get; }

        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            object? value = inputData is PSObject pso ? pso.BaseObject : inputData;
            return value == null || (value is string s && string.IsNullOrWhiteSpace(s)) ? DefaultValue : inputData;
        }
    }
}
